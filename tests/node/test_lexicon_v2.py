"""Lexicon v2 (session 8): alert colours as their own channel, negation, letters NFKD keeps, danger words."""

from __future__ import annotations

from node.attention.features import featurize, featurize_record, priority_claim
from node.attention.lexicon import (
    COLOURS,
    LEXICON_ID,
    LEXICON_VERSION,
    clause_words,
    colour_weight,
    normalize,
    priority_words,
    split_words,
    text_priority,
)
from protocol.record import Record

ORIGIN = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"


def rec(fields: dict[str, object], kind: str = "k", ts: int = 1) -> Record:
    return Record.create(kind, ORIGIN, ts, fields)


def tp(text: str) -> float:
    return text_priority(split_words(text))


def test_version_and_id() -> None:
    # v3 supersedes v2 (the version is part of the model id); its own tests: test_lexicon_v3.py.
    assert LEXICON_VERSION == "attnshare-lexicon/11"
    assert LEXICON_ID.startswith("attnshare-lexicon/11#")


def test_negated_priority_words_are_routine_in_several_languages() -> None:
    for text in ("not urgent", "non-urgent", "NO CRITICAL ALARM", "nicht dringend", "kein Alarm", "pas urgent",
                 "sin urgente", "non urgente", "geen fout", "nie pilny", "acil değil", "kritik yok",
                 "kinkyuu de nai"):
        assert tp(text) == 0.0, text
    # The word still counts when nothing negates it, or a negator stands elsewhere.
    assert tp("URGENT") == 0.75
    assert tp("bu acil") == 1.0  # Turkish "this is urgent": "bu" is not a negator here
    # v5: a determiner's scope passes one modifier ("no gas alarm"), so without the comma "no power
    # critical" reads negated; the featurizer reads clause marks, and the comma ends the scope.
    assert text_priority(clause_words("no power, critical")) == 1.0
    assert tp("critical: no response") == 1.0
    assert tp("all fine here") == -1.0
    assert priority_words(split_words("not urgent but critical")) == [("urgent", 0.0), ("critical", 1.0)]


def test_letters_nfkd_keeps_are_spelled_plain() -> None:
    assert normalize("Kırmızı") == "kirmizi"
    assert normalize("błąd") == "blad"
    assert normalize("RØD") == "rod"
    assert normalize("Straße") == "strasse"
    assert tp("BŁĄD krytyczny") == 1.0


def test_alert_colours_order_and_only_in_short_values() -> None:
    assert colour_weight(split_words("RED")) == 1.0
    assert colour_weight(split_words("code red")) == 1.0
    assert colour_weight(split_words("alerta roja")) == 1.0
    assert colour_weight(split_words("Kırmızı")) == 1.0
    assert colour_weight(split_words("black")) == 1.0  # tops some scales (rainstorm signals)
    assert colour_weight(split_words("amber")) > colour_weight(split_words("gelb")) > colour_weight(split_words("grün"))
    assert colour_weight(split_words("green")) == 0.0
    assert colour_weight(split_words("red vintage sale bundle")) == -1.0  # free text: not an alert
    assert colour_weight(split_words("banana")) == -1.0
    assert all(0.0 <= w <= 1.0 for w in COLOURS.values())
    # A colour is its own channel, not a priority word; for the novelty budget it is a claim all
    # the same (a "code": "RED" field added to junk), but not in free text.
    assert tp("red") == -1.0
    assert priority_claim("code", "RED")
    assert not priority_claim("title", "a red car parked by the gate")
    assert not priority_claim("code", "green")


def test_colour_channel_and_its_rarity_as_a_priority_scale() -> None:
    f = featurize_record(rec({"status": "RED", "dev": "a1"}))
    assert f.colour == 1.0
    assert f.prio_word == -1.0
    assert f.prio_token != 0  # a colour field's value rarity is read as a priority field's
    g = featurize_record(rec({"note": "a red car parked by the gate", "dev": "a1"}))
    assert g.colour == -1.0
    h = featurize_record(rec({"severity": "low", "status": "RED"}))
    assert h.prio_field
    w = featurize([rec({"status": "RED"}), rec({"status": "green"}), rec({"x": 1})])
    from node.attention.features import CTX_NAMES

    col = w.ctx[:, CTX_NAMES.index("alert_colour")].tolist()
    has = w.ctx[:, CTX_NAMES.index("has_alert_colour")].tolist()
    assert col == [1.0, 0.0, 0.0]
    assert has == [1.0, 1.0, 0.0]


def test_danger_words_and_field_names() -> None:
    assert tp("MAYDAY") == 1.0
    assert tp("peligro") == 0.75
    f = featurize_record(rec({"colorAlarma": "rojo"}))
    assert f.prio_field  # "alarma" names an alarm in Spanish, Polish, Portuguese (alarme)
    assert featurize_record(rec({"riskLevel": 2})).prio_field


def test_the_randomized_family_teaches_colours_negations_and_neutral_names() -> None:
    from node.workload.randomized import (
        _COLOUR_SCALES,
        _NEGATED,
        _NEUTRAL_NAMES,
        RandomizedWorkload,
    )

    # Every negator the generator writes (since session 45 all of them count: trial G's extra carriers
    # moved the streams, and "not"/"no"/"degil"/"yok" alone came to 1 in these worlds, all of them to 7).
    negators = {n.replace("{}", "").strip() for n in _NEGATED}

    colour_prio = neutral = attrs = negated = 0
    for seed in range(120):
        wl = RandomizedWorkload(seed)
        for k in wl.kinds:
            if k.prio is not None and k.prio.how == "colour":
                colour_prio += 1
                assert tuple(x.lower() for x in k.prio.scale) in _COLOUR_SCALES
                # Every colour scale rises: its last word is the most severe colour the lexicon knows.
                ws = [colour_weight(split_words(x)) for x in k.prio.scale]
                assert ws == sorted(ws)
                assert ws[-1] == 1.0
                assert ws[0] <= 0.0
            if k.prio is not None and k.prio.key.lower() in _NEUTRAL_NAMES:
                neutral += 1
            attrs += any(c.key.lower() in ("color", "colour", "farbe", "couleur") for c in k.cats)
        if seed < 40:
            for lr in wl.next_labeled(256, 1_700_000_000_000):
                for v in lr.record.fields.values():
                    if not isinstance(v, str):
                        continue
                    words = split_words(v)
                    hits = priority_words(words)
                    if hits and all(x == 0.0 for _, x in hits) and any(w in negators for w in words):
                        negated += 1
                        assert lr.case != "routine" or lr.detail != "priority"  # a negated top word is not priority
    assert colour_prio >= 20
    assert neutral >= 10
    assert attrs >= 10
    assert negated >= 5


def test_explain_names_an_alert_colour_and_no_copy_across_a_priority_change() -> None:
    from node.sim.cluster import shared_scorer

    scorer = shared_scorer()
    recs = [rec({"site": f"a{i % 5}", "level_m": 1.0 + 0.01 * i, "alarmColour": "green"}, kind="gauge", ts=i)
            for i in range(60)]
    recs.append(rec({"site": "a1", "level_m": 1.3, "alarmColour": "RED"}, kind="gauge", ts=99))
    reasons = scorer.explain(recs, 60, 3)["reasons"]
    texts = [r["text"] for r in reasons]
    assert "alert colour 'RED' in field alarmColour" in texts
    # Its numbers sit next to a green record's: a near copy by the numbers, not by what it says.
    assert not any(r["code"] == "near_copy" for r in reasons)
    scores = scorer.score(recs)
    assert scores[60] > sorted(scores[:60])[30] + 0.2  # the red reading outranks the routine green ones
