"""Review 6, finding 4: the copy rule must see every number of a record.

``replay_hashes`` used to bin a field's number only when the featurizer gave it a numeric slot
(``RecordFeatures.field_num``). The featurizer keeps at most ``NUM_SLOTS`` (8) numbers per
record, in key order, and numbers inside a list never get a slot of their own (only the list's
length and mean do, and those are not part of the replay hash). So:

* a record with more than 8 numeric fields: a change of any number past the 8th, however large,
  leaves its replay digest unchanged;
* a list of numbers: any change of the values (same length) leaves it unchanged.

Such a record is judged a replay of committed news and scores 0 on every validator (and in the
proposer's own claims), so the news it carries is never shipped. A proposer that knows the layout
can also commit a decoy first (copy rule ignores origin and time) to suppress the honest record.

These tests failed before the fix (every top-level number binned, lists and blobs hashed whole,
and the near digest, which sees the slots only, ignored for such records: ``near_blind``).
"""

from __future__ import annotations

from node.attention.features import NUM_SLOTS, featurize_record
from node.attention.history import History
from protocol.keys import PrivateKey
from protocol.record import Record

P = PrivateKey(b"\x11" * 32).peer_id

# Eight stable numeric fields that sort before the reading (keys are in code point order).
STABLE = {"a_cal": 1.2345, "b_gain": 17.5, "c_lat": 45.123, "d_lon": 7.654, "e_elev": 312.0,
          "f_offset": 0.031, "g_temp_ref": 20.5, "h_zero": 3.3, "station": "hydro-north"}


def _history(*records: Record) -> History:
    h = History()
    h.add(records)
    return h


def test_control_a_changed_number_in_the_first_slots_is_not_a_replay() -> None:
    # The rule does look at numbers it has a slot for: a 10x change of the first one is new data.
    old = Record.create("gauge_reading", P, 1_000, dict(STABLE, z_level_m=1.02))
    new = Record.create("gauge_reading", P, 60_000, dict(STABLE, a_cal=12.345, z_level_m=1.02))
    assert not _history(old).has_replay(featurize_record(new))


def test_a_number_past_the_eighth_numeric_field_is_invisible_to_the_copy_rule() -> None:
    assert NUM_SLOTS == 8
    old = Record.create("gauge_reading", P, 1_000, dict(STABLE, z_level_m=1.02))
    # The water level jumps almost ten-fold: news by any definition.
    flood = Record.create("gauge_reading", P, 60_000, dict(STABLE, z_level_m=9.87))
    assert old.cid != flood.cid
    assert not _history(old).has_replay(featurize_record(flood)), (
        "a 10x change of the 9th numeric field is judged a replay of the old reading (scores 0)")


def test_numbers_inside_a_list_are_invisible_to_the_copy_rule() -> None:
    base = {"serial": 123456.5, "site": "dam spillway gate three", "station": "hydro-north", "unit": "m"}
    old = Record.create("gauge_series", P, 1_000, dict(base, readings=[1.0, 1.1, 1.0]))
    new = Record.create("gauge_series", P, 60_000, dict(base, readings=[9.0, 12.5, 30.0]))
    assert not _history(old).has_replay(featurize_record(new)), (
        "a record whose list of readings changed completely is judged a replay (scores 0)")


def test_validators_score_the_flood_reading_0() -> None:
    """End to end through what validators run (Views.score_sync: score_and_copies + the copy rule)."""
    from tests.node.validator_views import validator_views

    views, p = validator_views(0xC0)
    old = Record.create("gauge_reading", p, 1_000, dict(STABLE, z_level_m=1.02))
    views.on_commit(p, 1, "b1", [old])
    flood = Record.create("gauge_reading", p, 60_000, dict(STABLE, z_level_m=9.87))
    judged = views.score_sync([flood], views.current(), p)
    assert judged != [0.0], "validators score a 10x jump of the 9th number 0: the copy rule calls it a replay"


def test_a_decoy_committed_by_another_proposer_suppresses_the_honest_reading() -> None:
    """The rule ignores origin and time: a byzantine proposer that knows the layout (station,
    calibration constants: the first eight numbers) commits a decoy once; every later reading of
    the honest station, whatever its level, is then a 'replay'."""
    attacker = PrivateKey(b"\x66" * 32).peer_id
    decoy = Record.create("gauge_reading", attacker, 5, dict(STABLE, z_level_m=0.0))
    honest = Record.create("gauge_reading", P, 60_000, dict(STABLE, z_level_m=9.87))
    assert not _history(decoy).has_replay(featurize_record(honest)), (
        "a decoy from another origin makes the honest flood reading a replay (scores 0)")


def test_the_near_digest_does_not_call_a_record_with_a_changed_ninth_number_a_near_copy() -> None:
    """The near digest bins the numeric slots by the History's statistics; with eight stable slots
    and enough history it matched any reading of the station, whatever its 9th number said."""
    from node.sim.cluster import shared_scorer

    scorer = shared_scorer()
    committed = [Record.create("gauge_reading", P, 1_000 + i, dict(STABLE, z_level_m=1.0 + 0.01 * i))
                 for i in range(40)]
    hist = scorer.history(committed)
    flood = Record.create("gauge_reading", P, 90_000, dict(STABLE, z_level_m=9.87))
    again = Record.create("gauge_reading", P, 90_001, dict(STABLE, z_level_m=1.0))
    assert scorer.cache.get(flood).near_blind
    _, copies = scorer.score_and_copies([flood, again], hist)
    assert copies == [False, True]  # the flood is news; a re-send of a committed reading is not
