"""Quantities written as text (node/attention/quantity.py): read as the numbers they spell.

Before this reading, a stream whose numbers came as ``"38.5 °C"`` lost its anomalies (fleet's
median anomaly rank 0.01 -> 0.27, port's 0.03 -> 0.39) and its near duplicates, and a lying
proposer could re-type committed news (38.5 -> ``"38.52 °C"``) to get it past the copy rule.
"""

from __future__ import annotations

import random

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from node.attention.explain import numeric_slot_names
from node.attention.features import as_quantity, assemble_window, featurize_record, is_categorical
from node.attention.history import History
from node.attention.quantity import parse_quantity
from node.attention.scorer import load_scorer
from protocol.keys import PrivateKey
from protocol.record import Record

P = PrivateKey(b"\x21" * 32).peer_id
Q = PrivateKey(b"\x22" * 32).peer_id

READ = [
    ("38.5 °C", 38.5), ("-12°C", -12.0), ("1,234 kg", 1234.0), ("$12.40", 12.4), ("€ 3,50", 3.5),
    ("85%", 85.0), ("45 %", 45.0), ("1.234,5 t", 1234.5), ("38,5", 38.5), ("0.5", 0.5), (".5", 0.5),
    ("1,234", 1234.0), ("1.234.567", 1234567.0), ("1,234,567.89", 1234567.89),
    ("1.234.567,89", 1234567.89), ("12'345.50", 12345.5), ("12 500 kg", 12500.0),
    ("12\u202f500", 12500.0), ("1.2e-3", 0.0012), ("~3.5 km/h", 3.5), ("≈ 12 m³/h", 12.0),
    ("-0.25", -0.25), ("+3.2 dB", 3.2), ("12.5kg", 12.5), ("3 kg", 3.0), ("−4.5", -4.5),
    ("< 0.01 ppm", 0.01), ("7.0", 7.0), ("30s", 30.0), ("5M", 5.0), ("1.5V", 1.5), ("38.5  °C", 38.5), ("12\u2009500", 12500.0), ("939.569e-6", 0.000939569),
    ("-$1.00", -1.0), ("12 €", 12.0), ("40°", 40.0), ("5‰", 5.0),
]

NOT_READ = [
    "4250", "3", "02139", "007", "007.5", "70cfbbdd", "7be", "223e1ee", "1e5", "0x1F", "0b101",
    "1.2.3", "192.168.0.1", "2026-12-01", "12:30", "12/05", "+1 555 123 4567", "12 5", "1 2", "12,",
    "1,,2", "P1", "SEV2", "L3", "v1.2", "abc", "", " ", "3 days ago", "1e999", "0,123,456",
    "12.5 kg extra", "9" * 40, "1.5 verylongunit", "31R", "14r", "12A", "825T", "10V", "-$-5", "5 A", "12 A", "10am",
    "12 PM", "21st", "1.5e3e", "9.9e308", "1２３４", "+３８", "7d",
]


@pytest.mark.parametrize(("text", "value"), READ)
def test_a_quantity_reads_as_its_number(text: str, value: float) -> None:
    q = parse_quantity(text)
    assert q is not None, text
    assert q[0] == pytest.approx(value)
    assert as_quantity(text) == q


@pytest.mark.parametrize("text", NOT_READ)
def test_ids_codes_dates_versions_and_text_stay_what_they_are(text: str) -> None:
    assert parse_quantity(text) is None


@pytest.mark.parametrize("text", ["2 urgent", "3 high", "1 red", "5 amber"])
def test_a_priority_word_or_colour_keeps_its_priority_reading(text: str) -> None:
    assert as_quantity(text) is None
    f = featurize_record(Record.create("k", P, 1, {"note": text}))
    assert f.prio_word >= 0 or f.colour >= 0
    assert not f.num_keys


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40))
def test_parse_never_raises_and_is_deterministic(text: str) -> None:
    a = parse_quantity(text)
    assert a == parse_quantity(text)
    if a is not None:
        assert a[0] == a[0]
        assert abs(a[0]) != float("inf")


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
       st.sampled_from(["", " kg", "°C", " %", " km/h", "$"]))
def test_a_formatted_number_round_trips(x: float, unit: str) -> None:
    text = f"{x:.2f}{unit}" if unit != "$" else f"${x:,.2f}" if x >= 0 else f"-${-x:,.2f}"
    if text.lstrip("-").replace(".", "").isdigit():
        return  # "12.00" has a decimal point; a bare integer string cannot come from :.2f
    q = parse_quantity(text)
    assert q is not None, text
    assert q[0] == pytest.approx(round(x, 2), abs=1e-6)


def _stream(as_text: bool, seed: int = 0, n: int = 96) -> list[Record]:
    """Readings of two kinds with one anomaly and one near copy; numbers as floats or as quantities."""
    rng = random.Random(seed)
    out: list[Record] = []

    def val(x: float, unit: str) -> float | str:
        return f"{x:,.2f} {unit}" if as_text else round(x, 2)

    for i in range(n):
        kind = "boiler" if i % 3 else "pump"
        temp = 180.0 + rng.gauss(0, 1.5) if i != 40 else 260.0
        flow = 1200.0 + rng.gauss(0, 30)
        out.append(Record.create(kind, P if i % 2 else Q, 1_000 + i * 1_000,
                                 {"temp": val(temp, "°F"), "flow": val(flow, "L/min"), "site": "north"}))
    first = out[10]
    nudged = {k: v for k, v in first.items}
    t = float(str(nudged["temp"]).split()[0].replace(",", ""))
    nudged["temp"] = val(t + 0.01, "°F")
    out.append(Record.create(first.kind, first.origin, 1_000 + n * 1_000, nudged))
    return out


def test_a_window_of_quantities_has_the_features_of_its_numbers() -> None:
    plain = assemble_window([featurize_record(r) for r in _stream(False)])
    text = assemble_window([featurize_record(r) for r in _stream(True)])
    for name in ("num", "num_mask", "slog", "unit", "ctx", "cat", "t", "order"):
        assert torch.equal(getattr(plain, name), getattr(text, name)), name
    # The unit joins the near digest, so the digests differ, but they pair the same records.
    same = plain.near.unsqueeze(0) == plain.near.unsqueeze(1)
    assert torch.equal(same, text.near.unsqueeze(0) == text.near.unsqueeze(1))


def test_the_shipped_model_scores_quantities_as_it_scores_numbers() -> None:
    scorer = load_scorer()
    a = scorer.score(_stream(False))
    b = scorer.score(_stream(True))
    assert a == pytest.approx(b, abs=1e-6)
    # and the reading matters: the anomaly (record 40) ranks first in both
    assert max(range(len(b)), key=lambda i: b[i]) == 40


def test_re_typing_committed_news_does_not_make_it_new() -> None:
    committed = Record.create("boiler", P, 1_000, {"temp": "181.25 °F", "flow": 1204.5, "site": "north"})
    h = History()
    h.add([committed])
    for temp, flow in (("181.25  °F", "1,204.5"), ("+181.250 °f", "1204.50"), ("181.26 °F", 1204.5)):
        again = Record.create("boiler", Q, 90_000, {"temp": temp, "flow": flow, "site": "north"})
        assert h.has_replay(featurize_record(again)), (temp, flow)
    # control: a reading far from the committed one is news
    hot = Record.create("boiler", Q, 90_000, {"temp": "260 °F", "flow": 1204.5, "site": "north"})
    assert not h.has_replay(featurize_record(hot))


@pytest.mark.parametrize(("old", "new"), [("5 mg", "5 g"), ("$5", "5 BTC"), ("40.7128 N", "40.7128 S")])
def test_a_changed_unit_is_news(old: str, new: str) -> None:
    # Review of session 12, finding 3: with the unit dropped, these were replays of committed news.
    fields = {"site": "north", "lot": "A7"}
    h = History()
    h.add([Record.create("k", P, 1_000, {**fields, "v": old})])
    assert h.has_replay(featurize_record(Record.create("k", Q, 9_000, {**fields, "v": old})))
    assert not h.has_replay(featurize_record(Record.create("k", Q, 9_000, {**fields, "v": new})))


def test_a_long_string_is_never_memoized() -> None:
    # Finding 4: the memo kept whole 4,096-character strings that start with a digit.
    from node.attention import features

    long = "1" + " x" * 2000
    assert as_quantity(long) is None
    assert long not in features._quantity_memo


def test_quantities_are_numbers_to_explanations_and_not_labels() -> None:
    rec = Record.create("boiler", P, 1, {"flow": "1,204.5 L/min", "site": "north", "temp": "181 °F",
                                         "tag": "A7", "readings": ["1.5 bar", "1.7 bar"]})
    assert numeric_slot_names(rec) == ["flow", "readings (count)", "readings (mean)", "temp"]
    assert len(featurize_record(rec).num_keys) == 4
    assert not is_categorical("181 °F")
    assert is_categorical("A7")
    assert is_categorical("4250")


def test_a_quantity_past_the_numeric_slots_blinds_the_near_digest() -> None:
    fields: dict[str, object] = {f"n{i}": float(i) + 0.5 for i in range(8)}
    fields["z_reading"] = "12.5 bar"
    f = featurize_record(Record.create("k", P, 1, fields))
    assert f.near_blind
    assert not featurize_record(Record.create("k", P, 1, {"z_reading": "12.5 bar"})).near_blind


@pytest.mark.parametrize(("committed", "resent"), [
    ("38.5 °C", "38.5 ° C"), ("5kg", "5-kg"), ("5kg", "5_kg"), ("12 500", "12 500.")])
def test_re_typing_a_quantity_into_text_or_back_is_still_a_copy(committed: str, resent: str) -> None:
    # Review of session 12, finding 2: a quantity reads as a number and a text that no longer parses
    # as a label, so the one-field re-typing rule (labels only) missed these re-sends of committed
    # news. The History digests both readings of a record holding quantity text.
    fields = {"site": "north bank pumping station", "serial": 48213.5, "lot": 7.25}
    h = History()
    h.add([Record.create("k", P, 1_000, {**fields, "w": committed})])
    assert h.has_replay(featurize_record(Record.create("k", Q, 9_000, {**fields, "w": resent})))
    # control: another reading of the same field is news, in either form
    for other in ("55 kg", 55.0):  # ("55-kg" is a label: a changed label is a re-typing, as before)
        assert not h.has_replay(featurize_record(Record.create("k", Q, 9_000, {**fields, "w": other}))), other


@pytest.mark.parametrize(("committed", "resent"), [
    ("-5 °C", "5 °C"), ("38.5 °C", "5.38 °C"), ("1,234 kg", "1.234 kg"), ("5 kg", "50 kg")])
def test_a_changed_sign_decimal_or_magnitude_is_news(committed: str, resent: str) -> None:
    # Second review of session 12: a "text reading" of quantities (a set of words) made these
    # copies, even in a record of one field.
    for fields in ({}, {"site": "north bank pumping station", "serial": 48213.5, "lot": 7.25}):
        h = History()
        h.add([Record.create("k", P, 1_000, {**fields, "w": committed})])
        assert not h.has_replay(featurize_record(Record.create("k", Q, 9_000, {**fields, "w": resent})))


@pytest.mark.parametrize(("text", "seconds"), [
    ("PT36H", 129_600.0), ("P3D", 259_200.0), ("P1DT12H", 129_600.0), ("PT30M", 1_800.0), ("PT1,5H", 5_400.0),
    ("P2W", 1_209_600.0), ("PT45S", 45.0), ("PT0.5S", 0.5), ("45 min", 2_700.0), ("2h", 7_200.0), ("8 óra", 28_800.0),
    ("5 nap", 432_000.0), ("3 Tage", 259_200.0), ("1.5 d", 129_600.0), ("30s", 30.0),
])
def test_a_duration_reads_as_its_seconds(text: str, seconds: float) -> None:
    # Quantity format 2 (session 22, trial D): a field that mixes units compares its values.
    assert parse_quantity(text) == (seconds, "s")


@pytest.mark.parametrize("text", ["P1", "P", "PT", "P1DT", "P3Y", "P1M2D", "PT36h", "p1d", "P1D extra", "PX"])
def test_what_is_no_iso_duration_is_no_quantity(text: str) -> None:
    # Priority codes (P1), years and months (their length varies), lower case and a trailing T are not.
    assert parse_quantity(text) is None


@pytest.mark.parametrize(("text", "unit"), [("5 m", "m"), ("5 kg", "kg"), ("$5", "$"), ("5 €", "€"), ("12 mo", "mo")])
def test_units_that_are_no_time_keep_their_reading(text: str, unit: str) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert q[1] == unit
