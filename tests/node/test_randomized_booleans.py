"""Trial Y (session 40): booleans under names that say nothing, in the randomized training worlds.

Held-out families write priority flags under names no lexicon reads (``thirr_kujdestarin``,
``sulaikyti``) beside routine boolean states (``VERWARMING``, ``battHeaterOn``) that are never news.
The randomized worlds teach both: a flag's ``True`` is a priority record, a state's ``True`` adds
nothing, and neither name tells which (docs/trials/session40-rule-y.md).
"""

from __future__ import annotations

from node.attention.lexicon import is_field_name
from node.workload.domains import ROUTINE_FLOOR
from node.workload.randomized import RandomizedWorkload

NOW = 1_700_000_000_000
NEWS = ("routine", "burst_head", "novel")


def _worlds(n: int = 60) -> list[RandomizedWorkload]:
    """Worlds whose kinds have distinct names (two kinds of a world may share a made-up name, and
    a record says only its kind's name)."""
    out = [RandomizedWorkload(seed) for seed in range(n)]
    return [w for w in out if len({k.name for k in w.kinds}) == len(w.kinds)]


def test_worlds_hold_both_sorts_of_neutral_boolean_under_unread_names() -> None:
    flags = states = renamed = 0
    for w in _worlds():
        for k in w.kinds:
            for b in k.bools:
                assert not is_field_name(b.key), b.key
                if b.priority:
                    flags += 1
                    assert 0.03 <= b.p_true <= 0.25
                    assert k.prio is None
                else:
                    states += 1
                    assert 0.02 <= b.p_true <= 0.6
            if k.prio is not None and k.prio.how == "flag" and not is_field_name(k.prio.key):
                renamed += 1
    # 0.12 and 0.15 of kinds (about 4-10 kinds a world): dozens of each in 60 worlds.
    assert flags >= 15, flags
    assert states >= 15, states
    assert renamed >= 1


def test_a_flag_true_is_priority() -> None:
    flag_true = 0
    for w in _worlds(40):
        kinds = {k.name: k for k in w.kinds}
        for lr in w.next_labeled(1500, NOW):
            if lr.case not in NEWS:
                continue
            for b in kinds[lr.record.kind].bools:
                if b.priority and lr.record.fields.get(b.key) is True:
                    flag_true += 1
                    assert lr.importance >= 0.9 - 1e-6, lr
                    assert lr.detail in ("priority", "anomaly"), lr
    assert flag_true >= 50, flag_true


def test_state_true_records_sit_at_the_routine_floor() -> None:
    """Among plain routine records (no reason to matter), a state's True leaves the label where its
    False does: the routine floor, whatever the share of True."""
    labels: dict[bool, list[float]] = {True: [], False: []}
    for w in _worlds(40):
        kinds = {k.name: k for k in w.kinds}
        for lr in w.next_labeled(1000, NOW):
            k = kinds[lr.record.kind]
            states = [b for b in k.bools if not b.priority]
            if lr.case != "routine" or lr.detail or not states or any(b.priority for b in k.bools):
                continue
            v = lr.record.fields.get(states[0].key)
            assert isinstance(v, bool)
            labels[v].append(lr.importance)
    assert len(labels[True]) >= 30, len(labels[True])
    assert len(labels[False]) >= 30, len(labels[False])
    for v in (True, False):
        assert min(labels[v]) >= ROUTINE_FLOOR - 1e-6
        assert sorted(labels[v])[len(labels[v]) // 2] < ROUTINE_FLOOR + 0.01  # the median at the floor


class _OtherSide(RandomizedWorkload):
    SIDE_SALT = "another-salt"


def test_the_side_generator_leaves_the_rest_of_a_world_alone() -> None:
    """Booleans draw from their own generator: a world's kinds, weights, numbers and rates are what
    the main generator alone makes of the seed (another side seed changes no other part)."""
    for seed in (1, 7, 23):
        a, b = RandomizedWorkload(seed), _OtherSide(seed)
        assert [k.name for k in a.kinds] == [k.name for k in b.kinds]
        assert [k.weight for k in a.kinds] == [k.weight for k in b.kinds]
        assert [[(n.key, n.centre, n.spread) for n in k.nums] for k in a.kinds] == \
            [[(n.key, n.centre, n.spread) for n in k.nums] for k in b.kinds]
        assert a.rates == b.rates
        assert a.origins == b.origins
