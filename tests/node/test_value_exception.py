"""Session 9 features: how exceptional a categorical value is in its field (minority, surprise),
short labels as categorical values, the priority token's choice, and re-typed codes in the near digest.

A priority scale the lexicon does not know (``INCERFA``, flag ``B``, level 1 of 5 where 1 is worst)
can still be read from the stream: most records hold the routine step. These tests pin that the
features say so, and that ids and spread-out vocabularies do not look exceptional.
"""

from __future__ import annotations

import math

import pytest

from node.attention.features import (
    CTX_NAMES,
    featurize,
    featurize_record,
    field_entropy,
    is_categorical,
    minority,
    surprise,
)
from node.attention.history import History
from protocol.keys import PrivateKey
from protocol.record import Record

ORIGIN = PrivateKey(b"\x09" * 32).peer_id


def rec(fields: dict, kind: str = "k", ts: int = 1_000) -> Record:
    return Record.create(kind, ORIGIN, ts, fields)


def ctx(w, name: str) -> list[float]:
    return w.ctx[:, CTX_NAMES.index(name)].tolist()


def test_minority_and_surprise_are_zero_for_uniform_fields_and_ids() -> None:
    # Ten values held six times each: none is an exception.
    assert minority(6, 6, 60) == 0.0
    assert surprise(6, 60, field_entropy([6] * 10, 60)) == pytest.approx(0.0, abs=1e-12)
    # Every value unique (an id): nothing is an exception either.
    assert minority(1, 1, 60) == 0.0
    assert surprise(1, 60, field_entropy([1] * 60, 60)) == pytest.approx(0.0, abs=1e-12)


def test_minority_and_surprise_rank_the_exception_of_a_skewed_field_highest() -> None:
    counts = [51, 5, 3, 1]  # routine step, then rarer steps
    h = field_entropy(counts, 60)
    assert h == pytest.approx(-sum(c / 60 * math.log(c / 60) for c in counts))
    mins = [minority(c, 51, 60) for c in counts]
    surs = [surprise(c, 60, h) for c in counts]
    assert mins[0] == 0.0
    assert surs[0] == 0.0
    assert mins == sorted(mins)
    assert surs == sorted(surs)
    assert mins[-1] > 0.6
    assert surs[-1] > 0.5
    # The same rare value in a Zipf-like field (no value dominates) is less exceptional.
    zipf = [20, 15, 12, 8, 5]
    assert minority(1, 20, 60) < mins[-1]
    assert surprise(1, 60, field_entropy(zipf, 60)) < surs[-1]
    for v in mins + surs:
        assert 0.0 <= v <= 1.0
    assert minority(0, 0, 0) == 0.0
    assert surprise(0, 0, 0.0) == 0.0


def _stream(n: int, step_of) -> list[Record]:
    return [rec({"dev": f"d{i}", "phase": step_of(i), "v": 10.0 + i % 7}, ts=i * 1000) for i in range(n)]


def test_window_features_flag_an_unknown_alert_step_but_not_ids() -> None:
    steps = lambda i: "INCERFA" if i == 40 else ("DETRESFA" if i == 70 else "NIHIL")  # noqa: E731
    recs = _stream(100, steps)
    w = featurize(recs)
    mw, sw = ctx(w, "value_minority_window"), ctx(w, "value_surprise_window")
    routine = [i for i in range(100) if i not in (40, 70)]
    assert min(mw[40], mw[70]) > 0.5
    assert min(sw[40], sw[70]) > 0.5
    assert max(mw[i] for i in routine) < 0.05
    assert max(sw[i] for i in routine) < 0.05
    # No history: the history columns stay 0.
    assert set(ctx(w, "value_minority_history")) == {0.0}


def test_history_features_read_the_same_from_committed_records() -> None:
    past = _stream(300, lambda i: "B" if i % 60 == 0 else "H")
    h = History.from_records(past)
    now = [rec({"dev": "d1", "phase": "H", "v": 11.0}, ts=10**6), rec({"dev": "d2", "phase": "B", "v": 11.0}, ts=10**6 + 1),
           rec({"dev": "d3", "phase": "NC", "v": 11.0}, ts=10**6 + 2)]
    w = featurize(now, history=h)
    mh, sh = ctx(w, "value_minority_history"), ctx(w, "value_surprise_history")
    assert mh[0] == 0.0
    assert sh[0] < 1e-9
    assert 0.3 < mh[1] < mh[2]
    assert 0.3 < sh[1] < sh[2]
    # Order-free and bounded: the same multiset in another order gives the same numbers, and a
    # copy answers the same as the original.
    h2 = History.from_records(list(reversed(past)))
    assert featurize(now, history=h2).ctx.tolist() == w.ctx.tolist()
    assert featurize(now, history=h.copy()).ctx.tolist() == w.ctx.tolist()


def test_history_mode_follows_eviction() -> None:
    h = History(capacity=50)
    h.add(_stream(50, lambda i: "A"))
    f = featurize_record(rec({"dev": "x", "phase": "Z", "v": 1.0}))
    tok, fid = next((t, fi) for t, fi in zip(f.cat_tokens, f.cat_fields, strict=True)
                    if t == featurize_record(rec({"dev": "y", "phase": "Z", "v": 1.0})).cat_tokens[1])
    before = h.value_exception(tok, fid)
    assert before[0] > 0.5
    # Evict every "A": the field is now all "Z" and "Z" is its routine value.
    h.add([rec({"dev": f"e{i}", "phase": "Z", "v": 1.0}, ts=10**6 + i) for i in range(50)])
    assert h.value_exception(tok, fid) == (0.0, 0.0)


def test_short_labels_are_categorical_values() -> None:
    f = featurize_record(rec({"call": "PAN PAN", "note": "a long free text that is surely more than forty chars"}))
    assert len(f.cat_tokens) == 1  # the label, not the text
    g = featurize_record(rec({"call": "ROUTINE"}))
    assert len(g.cat_tokens) == 1
    assert g.cat_fields == f.cat_fields


def test_a_priority_named_field_takes_the_priority_token_before_a_colour_field() -> None:
    both = featurize_record(rec({"paint": "red", "severity": "S2"}))
    only_sev = featurize_record(rec({"severity": "S2"}))
    only_colour = featurize_record(rec({"paint": "red"}))
    assert both.prio_token == only_sev.prio_token
    assert both.prio_field_id == only_sev.prio_field_id
    assert only_colour.prio_token
    assert only_colour.prio_token != only_sev.prio_token


def test_near_digest_ignores_how_a_code_is_punctuated() -> None:
    base = [rec({"station": f"GU-{1000 + i % 9}", "level_m": 2.0 + (i % 5) * 0.1}, ts=i * 1000) for i in range(40)]
    src = base[20]
    retyped = rec({**dict(src.items), "station": str(dict(src.items)["station"]).replace("-", "").lower()}, ts=99_000)
    w = featurize(base + [retyped])
    assert ctx(w, "near_copy_earlier")[-1] == 1.0
    other = rec({**dict(src.items), "station": "GU-2000"}, ts=99_001)
    assert ctx(featurize(base + [other]), "near_copy_earlier")[-1] == 0.0


# -- review 9 ---------------------------------------------------------------------------------


def _fresh_equal(h: History) -> None:
    """``h`` answers like a History built from scratch from the records it holds."""
    fresh = History(capacity=10**6)
    fresh._add_held(list(h._all_items()))
    for f in h._all_items():
        for tok, fid in f.cat:
            assert h.value_exception(tok, fid) == fresh.value_exception(tok, fid)
            assert h.value_rarity(tok, fid) == fresh.value_rarity(tok, fid)


def test_history_answers_like_a_fresh_one_after_eviction_copy_and_groups() -> None:
    import random

    rng = random.Random(5)
    steps = ("ok", "ok", "ok", "ok", "ok", "warn", "warn", "fail", "stuck")
    recs = [rec({"dev": f"d{i % 13}", "phase": rng.choice(steps), "n": rng.randint(-3, 3)}, ts=i) for i in range(400)]
    h = History(capacity=120)
    for i in range(0, 400, 37):
        h.add(recs[i:i + 37])
        _fresh_equal(h)
        _fresh_equal(h.copy())
    g = History(capacity=10**6)
    for i in range(0, 400, 23):
        g.add_grouped(i % 3, [featurize_record(r) for r in recs[i:i + 23]], quota=60)
        _fresh_equal(g)


def test_history_features_are_order_free_with_many_distinct_counts() -> None:
    import random

    rng = random.Random(9)
    steps = ["s0"] * 40 + ["s1"] * 9 + ["s2"] * 5 + ["s3"] * 3 + ["s4"]
    recs = [rec({"dev": f"d{i}", "phase": s}, ts=i) for i, s in enumerate(steps)]
    now = [rec({"dev": "x", "phase": p}, ts=10**6 + i) for i, p in enumerate(("s0", "s2", "s4", "s9"))]
    want = featurize(now, history=History.from_records(recs)).ctx.tolist()
    for _ in range(5):
        shuffled = recs[:]
        rng.shuffle(shuffled)
        g = History(capacity=10**6)
        for i in range(0, len(shuffled), 7):
            g.add_grouped(i % 4, [featurize_record(r) for r in shuffled[i:i + 7]], quota=100)
        assert featurize(now, history=g).ctx.tolist() == want


def test_one_token_in_two_fields_neither_crashes_nor_depends_on_order() -> None:
    # {"a": "b\0c"} and {"a\0b": "c"} give the same value token in two different fields.
    a = [rec({"a": "b\x00c", "v": 1.0}, ts=i) for i in range(9)]
    b = [rec({"a\x00b": "c", "v": 1.0}, ts=100 + i) for i in range(9)]
    fa, fb = featurize_record(a[0]), featurize_record(b[0])
    assert fa.cat_tokens == fb.cat_tokens
    assert fa.cat_fields != fb.cat_fields
    featurize(a + b)  # the window counts each field's own values
    h1, h2 = History(capacity=12), History(capacity=12)
    h1.add(a + b + a[:3])
    h2.add(b + a + a[:3])
    h1.add(b)
    h2.add(b)
    tok, fid = fb.cat_tokens[0], fb.cat_fields[0]
    assert h1.value_exception(tok, fid) == h2.value_exception(tok, fid)
    _fresh_equal(h1)


def test_a_made_up_value_in_a_field_that_mostly_holds_one_is_novel() -> None:
    past = [rec({"dev": f"d{i}", "status": "OK" if i % 40 else "B", "v": 1.0}, ts=i) for i in range(400)]
    h = History.from_records(past)
    known_rare = featurize_record(rec({"dev": "d1", "status": "B", "v": 1.0}))
    made_up = featurize_record(rec({"dev": "d1", "status": "zq81", "v": 1.0}))
    new_id = featurize_record(rec({"dev": "never-seen", "status": "OK", "v": 1.0}))
    assert not h.novel(known_rare)
    assert h.novel(made_up)
    assert not h.novel(new_id)  # an id field holds no dominant value: a new id is no claim


def test_near_digest_keeps_dots_and_symbols() -> None:
    base = [rec({"mark": "✓", "ver": "1.5", "level_m": 2.0 + (i % 5) * 0.1}, ts=i * 1000) for i in range(40)]
    src = dict(base[20].items)
    for other in ({**src, "mark": "✗"}, {**src, "ver": "15"}):
        assert ctx(featurize([*base, rec(other, ts=99_000)]), "near_copy_earlier")[-1] == 0.0
    assert ctx(featurize([*base, rec({**src, "ver": "1.5"}, ts=99_000)]), "near_copy_earlier")[-1] == 1.0


def test_the_priority_field_keeps_a_slot_after_many_labels() -> None:
    fields = {f"a{i}": f"L{i}" for i in range(9)} | {"zz_severity": "S2"}
    f = featurize_record(rec(fields))
    assert f.prio_token in f.cat_tokens
    assert len(f.cat_tokens) == 8


def test_explain_names_the_exceptional_value() -> None:
    from node.attention.explain import reasons

    recs = [rec({"dev": f"d{i}", "phase": "INCERFA" if i == 40 else "NIHIL", "v": 10.0 + i % 7}, ts=i * 1000)
            for i in range(100)]
    w = featurize(recs)
    got = [r for r in reasons(recs, 40, w, None) if r["code"] == "rare_value"]
    assert got, reasons(recs, 40, w, None)
    assert got[0]["field"] == "phase"
    assert (got[0]["value"], got[0]["count"], got[0]["of"], got[0]["usual"]) == ("INCERFA", 1, 100, "NIHIL")
    assert not [r for r in reasons(recs, 41, w, None) if r["code"] == "rare_value"]


@pytest.mark.parametrize("value", [True, False, 0, 8, -8, 9, -9, 2**40, 1.5, "", "B", "ALERFA", "code red",
                                   "pan pan now", "four words in here", "x" * 39, "x" * 40, "tab\tsep",
                                   "a  b  c", "CRITICAL"])
def test_explains_label_rule_is_the_featurizers(value: object) -> None:
    # explain.py groups values by features.is_categorical: it must agree with what the featurizer
    # counts as a categorical value (review 9: the rule was written twice and could drift).
    f = featurize_record(rec({"zz": value}))
    assert bool(f.cat_tokens) == is_categorical(value)
