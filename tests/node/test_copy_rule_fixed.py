"""Session 31, review 30 rows 4 and 6.

Row 6: committed news sent again with one measured number dropped and another moved just past an edge
of both replay grids was caught 3 times in 546 (5 held-out families): the held record's dropped digests
need every number left in its bin on one grid, and ``_moved_replay`` probed no dropped digest.
``history._moved_dropped_replay`` now probes them with each number a bin up or down on both grids.

Row 4: a site's coordinates recur in every record of the site, so the labels-off rule's evidence ("two
measured numbers in the same bins") stood on them alone, and honest readings of the same site matched a
held record plus or less a field. ``History._fixed_numbers`` now leaves numbers that are one of few
values of their (kind, field), each held many times, out of the evidence (they stay in the digests).
"""

from __future__ import annotations

import math
import random

import pytest

from node.attention.features import featurize_record, field_facts
from node.attention.history import History, _replay_coordinate
from protocol.keys import PrivateKey
from protocol.record import Record

P = PrivateKey(b"\x31" * 32).peer_id
T0 = 1_700_000_000_000
NEWS = {"gauge_m": 7.53, "flow": 912.4, "rain_mm": 41.2, "temp_c": 11.37, "station": "s0",
        "remark": "levee seepage at km 4"}
RELABEL = {"station": "s9-x", "remark": "overtopping at km 9"}


def _rec(kind: str, fields: dict, dt: int = 0) -> Record:
    return Record.create(kind, P, T0 + dt, fields)


def _bins(key: str, v: float) -> tuple[int, int]:
    num = field_facts(key, v)[2]
    assert num is not None
    y = _replay_coordinate(num)
    return math.floor(y), math.floor(y + 0.5)


def _moved(key: str, v: float, bins: int) -> float:
    """The least move of ``v`` up (steps of 0.001%) that changes its bin by ``bins`` or more on both grids."""
    b = _bins(key, v)
    for i in range(1, 10_000):
        w = v * (1.0 + 1e-5 * i)
        c = _bins(key, w)
        if abs(c[0] - b[0]) >= bins and abs(c[1] - b[1]) >= bins:
            return w
    raise AssertionError("no move found")


def _levee_history() -> History:
    """NEWS committed among other records of its kind (each carrying every field)."""
    rng = random.Random(3)
    others = [{"gauge_m": round(rng.uniform(1, 20), 2), "flow": round(rng.uniform(100, 2000), 1),
               "rain_mm": round(rng.uniform(0, 90), 1), "temp_c": round(rng.uniform(-5, 25), 2),
               "station": f"s{rng.randrange(50)}", "remark": "routine reading"} for _ in range(30)]
    h = History(1024)
    h.add([_rec("levee", f, i) for i, f in enumerate([*others, NEWS])])
    return h


@pytest.mark.parametrize("relabel", [False, True])
@pytest.mark.parametrize(("dropped", "moved"), [("flow", "gauge_m"), ("rain_mm", "temp_c"), ("gauge_m", "flow")])
def test_one_number_dropped_and_another_moved_is_a_copy(dropped: str, moved: str, relabel: bool) -> None:
    h = _levee_history()
    sent = {k: v for k, v in {**NEWS, **(RELABEL if relabel else {})}.items() if k != dropped}
    sent[moved] = _moved(moved, NEWS[moved], 1)
    assert h.has_replay(featurize_record(_rec("levee", sent, 99)))


def test_dropped_and_moved_two_bins_or_two_moved_is_news() -> None:
    h = _levee_history()
    far = {k: v for k, v in NEWS.items() if k != "flow"}
    far["gauge_m"] = _moved("gauge_m", NEWS["gauge_m"], 2)
    assert not h.has_replay(featurize_record(_rec("levee", far, 99)))
    two = {k: v for k, v in NEWS.items() if k != "flow"}
    two["gauge_m"] = _moved("gauge_m", NEWS["gauge_m"], 1)
    two["temp_c"] = _moved("temp_c", NEWS["temp_c"], 1)
    assert not h.has_replay(featurize_record(_rec("levee", two, 99)))


SITES = {f"ST-{i:03d}": (round(59 + i * 0.0371, 4), round(23 + i * 0.0573, 4)) for i in range(12)}


def _station_history() -> tuple[History, dict]:
    """Twelve stations, 20 readings each: coordinates fixed per station, water temperature and flow measured."""
    rng = random.Random(5)
    recs = []
    for i in range(240):
        site = f"ST-{i % 12:03d}"
        lat, lon = SITES[site]
        recs.append({"site": site, "lat": lat, "lon": lon, "water_c": round(rng.uniform(2, 18), 2),
                     "flow_m3s": round(rng.uniform(1, 40), 2)})
    h = History(1024)
    h.add([_rec("station", f, i) for i, f in enumerate(recs)])
    return h, recs[-1]


def test_a_sites_fixed_coordinates_are_no_evidence_of_a_copy() -> None:
    h, held = _station_history()
    same_site = {"site": held["site"], "lat": held["lat"], "lon": held["lon"]}
    # Honest news of a station: only the coordinates in common with what is held.
    assert not h.has_replay(featurize_record(_rec("station", {**same_site, "ice_cm": 12.5}, 999)))
    assert not h.has_replay(featurize_record(_rec("station", same_site, 999)))
    # A new water temperature, the flow gauge down, an ice reading: news.
    news = {**same_site, "water_c": round(held["water_c"] + 3.1, 2), "ice_cm": 12.5}
    assert not h.has_replay(featurize_record(_rec("station", news, 999)))


def test_measured_numbers_beside_fixed_ones_are_still_evidence() -> None:
    h, held = _station_history()
    # The held reading sent again with its label re-typed: water temperature and flow are two measured
    # numbers in their bins (the coordinates say only which station).
    assert h.has_replay(featurize_record(_rec("station", {**held, "site": held["site"] + "-3af"}, 999)))
    # ... and with the site label dropped
    assert h.has_replay(featurize_record(_rec("station", {k: v for k, v in held.items() if k != "site"}, 999)))


def test_a_liar_cannot_make_a_reading_fixed_with_a_few_records() -> None:
    """A measured number counts as fixed only where its field holds at most one distinct value per four:
    three records repeating a reading's exact value leave it evidence among varied readings."""
    rng = random.Random(9)
    base = [{"a": round(rng.uniform(0, 100), 3), "b": round(rng.uniform(0, 100), 3), "tag": f"t{i}"}
            for i in range(40)]
    target = {"a": 55.125, "b": 71.5, "tag": "orig"}
    primers = [{"a": 55.125, "b": round(rng.uniform(0, 100), 3), "tag": f"p{i}"} for i in range(3)]
    h = History(1024)
    h.add([_rec("m", f, i) for i, f in enumerate([*base, *primers, target])])
    assert h.has_replay(featurize_record(_rec("m", {**target, "tag": "orig-3af"}, 999)))
    # where the field is a handful of values (a setting), that value is no evidence: b alone is not enough
    settings = [{"a": rng.choice((10.5, 20.5, 30.5)), "b": round(rng.uniform(0, 100), 3), "tag": f"s{i}"}
                for i in range(40)]
    held = {"a": 20.5, "b": 33.25, "tag": "orig"}
    h2 = History(1024)
    h2.add([_rec("m", f, i) for i, f in enumerate([*settings, held])])
    assert not h2.has_replay(featurize_record(_rec("m", {**held, "tag": "orig-3af"}, 999)))
    assert h2.has_replay(featurize_record(_rec("m", held, 999)))  # sent again as it was: a copy


def test_whole_numbers_of_few_values_stay_evidence() -> None:
    """Codes and counts (an alarm id, a process step) are whole numbers, already weaker evidence (three
    are needed); leaving the common ones out let re-typed copies of fab's alarms through (blocks passing
    8% -> 42% in ``scripts/eval_copy_rule.py``). Only fractional numbers are ever fixed."""
    rng = random.Random(11)
    held = [{"alarm_id": rng.choice((24615, 31007, 11290)), "step": rng.choice((3900, 4100)),
             "wafers": rng.choice((12, 14, 25)), "tool": f"T{i}", "lot": f"L{i}"} for i in range(60)]
    h = History(1024)
    h.add([_rec("alarm", f, i) for i, f in enumerate(held)])
    # both labels re-typed: past the one-field-off rule, so the labels-off rule's evidence decides
    sent = {**held[-1], "tool": held[-1]["tool"] + "-3af", "lot": held[-1]["lot"] + "-9"}
    assert h.has_replay(featurize_record(_rec("alarm", sent, 999)))
