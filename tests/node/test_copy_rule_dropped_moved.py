"""Session 31, review 30 row 6: committed news sent again with one measured number dropped and another
moved just past an edge of both replay grids was caught 3 times in 546 (5 held-out families): the held
record's dropped digests need every number left in its bin on one grid, and ``_moved_replay`` probed no
dropped digest. ``history._moved_dropped_replay`` now probes them with each number a bin up or down on
both grids.

And review 31, row 1: a station's fixed coordinates are evidence of a copy. Session 31 first left fixed
values out of the labels-off evidence (review 30 row 4's honest cost); an anomaly of a station that
carries one reading beside its coordinates, re-sent with its labels re-typed, then passed (caught 66 -> 0
of 66). The last test keeps that caught.
"""

from __future__ import annotations

import random

import pytest

from node.attention.features import featurize_record
from node.attention.history import History
from protocol.keys import PrivateKey
from protocol.record import Record
from tests.node.test_copy_rule_moved import _moved

P = PrivateKey(b"\x31" * 32).peer_id
T0 = 1_700_000_000_000
NEWS = {"gauge_m": 7.53, "flow": 912.4, "rain_mm": 41.2, "temp_c": 11.37, "station": "s0",
        "remark": "levee seepage at km 4"}
RELABEL = {"station": "s9-x", "remark": "overtopping at km 9"}


def _rec(kind: str, fields: dict, dt: int = 0) -> Record:
    return Record.create(kind, P, T0 + dt, fields)


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


SITES = {f"ST-{i:03d}": (round(59 + i * 0.0371, 4), round(23 + i * 0.0573, 4), 100 + 7 * i) for i in range(12)}


def test_a_stations_anomaly_sent_again_with_its_labels_retyped_is_a_copy() -> None:
    """Review 31, row 1: fixed coordinates beside one reading are evidence enough (the reading in its
    bin, with the station's coordinates in theirs)."""
    rng = random.Random(5)
    recs = []
    for i in range(480):
        site = f"ST-{i % 12:03d}"
        lat, lon, elev = SITES[site]
        recs.append({"site": site, "lat": lat, "lon": lon, "elev_m": elev, "temp_c": round(rng.uniform(8, 14), 1),
                     "crew": f"c{rng.randrange(5)}"})
    news = {"site": "ST-004", "lat": SITES["ST-004"][0], "lon": SITES["ST-004"][1], "elev_m": SITES["ST-004"][2],
            "temp_c": 38.7, "crew": "c2"}
    h = History(1024)
    h.add([_rec("station", f, i) for i, f in enumerate([*recs, news])])
    sent = {**news, "site": "ST-004-3af", "crew": "c2-x"}  # both labels re-typed
    assert h.has_replay(featurize_record(_rec("station", sent, 9999)))
