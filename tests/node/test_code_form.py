"""Session 19 (FEATURE_REVISION 5): a short label is read in its *code form*; session 20 (revision 6)
also reads away format characters and mixed-script look-alikes.

Held-out families re-type a code when they copy a record: "TLK 5825" for "TLK5825", "OS 034" for
"OS 34", "P12 " for "P12", "AŞAĞI" for "aşağı", "FAS.08" for "FAS-08". Before, each of those missed
the near digest, and such near copies ranked 0.1-0.3 (as news) on nine held-out families
(docs/attention.md, "Session 19"). These tests pin what the code form merges, what it must keep
apart, and that the featurizer, the copy rule and explanations read labels the same way.
"""

from __future__ import annotations

import pytest

from node.attention.features import (
    CTX_NAMES,
    code_form,
    featurize,
    featurize_record,
    field_facts,
    is_categorical,
)
from protocol.keys import PrivateKey
from protocol.record import Record

ORIGIN = PrivateKey(b"\x19" * 32).peer_id


def rec(fields: dict, kind: str = "k", ts: int = 1_000) -> Record:
    return Record.create(kind, ORIGIN, ts, fields)


def ctx(w, name: str) -> list[float]:
    return w.ctx[:, CTX_NAMES.index(name)].tolist()


SAME = [
    ("TLK5825", "TLK 5825"), ("TLK5825", "tlk-5825"), ("ONEU1682771", "ONEU 1682771"), ("P12", "P12 "),
    ("OS 34", "OS 034"), ("W262", "W0262"), ("KG089", "KG-89"), ("HEM029", "hem29"), ("PN3", "PN-03"),
    ("FAS.08", "FAS08"), ("ERO_341", "ERO.341"), ("Zwr. 117", "Zwr.117"), ("aşağı", "AŞAĞI"),
    ("VERTRAAGD", "vertraagd"), ("1678434", "167 8434"), ("MP-0194/SYB", "MP01 94/SYB"), ("insülin", "insulin"),
    ("Brygada H9", "Brygada-H9"), ("D-057", "D-05 7"),
    # Revision 6: format characters and mixed-script look-alikes hide nothing.
    ("TLK5825", "TLK\u200b5825"), ("TLK5825", "\ufeffTLK-5825"), ("TLK5825", "TL\u200dK\u200e5825"),
    ("TLK5825", "\u0422LK5825"), ("POMPA", "\u0420\u041eMPA"), ("KAPPA7", "\u039aAPPA7"),
]
APART = [
    ("W1", "W10"), ("1.5", "15"), ("v1.05", "v1.5"), ("R2000", "R200"), ("GU-1137", "GU-1138"), ("✓", "✗"),
    ("OS 34", "OS 43"), ("red", "amber"), ("P1", "P11"),
    # A label wholly in Cyrillic or Greek keeps its own letters: it is not a Latin code in disguise.
    ("\u0422\u041e\u041a", "TOK"), ("\u03b1\u03b2", "ab"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_a_retyped_code_is_one_code(a: str, b: str) -> None:
    assert code_form(a) == code_form(b)
    # The copy rule's content hash and the featurizer's categorical value agree with it.
    assert field_facts("station", a)[1] == field_facts("station", b)[1]
    fa, fb = featurize_record(rec({"station": a})), featurize_record(rec({"station": b}))
    assert fa.shape == fb.shape
    assert fa.cat_tokens == fb.cat_tokens


@pytest.mark.parametrize(("a", "b"), APART)
def test_different_codes_stay_apart(a: str, b: str) -> None:
    assert code_form(a) != code_form(b)
    assert field_facts("station", a)[1] != field_facts("station", b)[1]
    assert featurize_record(rec({"station": a})).shape != featurize_record(rec({"station": b})).shape


def test_a_retyped_code_is_a_near_copy_in_the_window() -> None:
    base = [rec({"train": f"TLK {5800 + i % 9}", "crew": f"Brygada H{i % 4}", "delay_min": 2.0 + (i % 5)},
                ts=i * 1000) for i in range(40)]
    src = dict(base[20].items)
    for train, crew in (("TLK" + str(src["train"])[4:], src["crew"]),
                        (src["train"], str(src["crew"]).replace(" ", "-")),
                        (str(src["train"]).lower() + " ", str(src["crew"]).upper())):
        w = featurize([*base, rec({**src, "train": train, "crew": crew}, ts=99_000)])
        assert ctx(w, "near_copy_earlier")[-1] == 1.0, (train, crew)
    # Another train is news, however it is typed.
    w = featurize([*base, rec({**src, "train": "TLK 5999"}, ts=99_000)])
    assert ctx(w, "near_copy_earlier")[-1] == 0.0


def test_a_trailing_space_does_not_make_a_label_text() -> None:
    f = featurize_record(rec({"plot": "P12 "}))
    g = featurize_record(rec({"plot": "P12"}))
    assert f.tokens == g.tokens  # one token, not a word of a text
    assert is_categorical("P12 ")
    assert is_categorical("P12")


def test_long_text_keeps_its_word_set_digest() -> None:
    # A text is not squeezed into one code: reordered clauses are still the same words.
    a = "pump two restarted after a short power dip, no alarm"
    b = "no alarm; pump two restarted after a short power dip"
    assert featurize_record(rec({"note": a})).shape == featurize_record(rec({"note": b})).shape
    assert featurize_record(rec({"note": a})).shape != featurize_record(rec({"note": a + " again"})).shape


def test_explain_counts_a_label_by_its_code_form() -> None:
    from node.attention.explain import reasons

    # The routine step is written two ways ("NIHIL", "nihil "): still one usual value of 99.
    recs = [rec({"dev": f"d{i}", "phase": "INCERFA" if i == 40 else ("NIHIL" if i % 2 else "nihil "),
                 "v": 10.0 + i % 7}, ts=i * 1000) for i in range(100)]
    w = featurize(recs)
    got = [r for r in reasons(recs, 40, w, None) if r["code"] == "rare_value"]
    assert got, reasons(recs, 40, w, None)
    assert (got[0]["value"], got[0]["count"], got[0]["of"], got[0]["usual"]) == ("INCERFA", 1, 100, "nihil ")
    assert not [r for r in reasons(recs, 41, w, None) if r["code"] == "rare_value"]
