"""Trial Z (session 41): numbers under names that say nothing, in the randomized training worlds.

Held-out families write priority as a number under a name no lexicon reads: a risk score, a percent
of a limit, a response target in minutes. Most records hold the routine band, a raised step a band
beyond it. The randomized worlds teach that form beside routine numbers of the same shape, spread
over every band, which are never news (docs/trials/session41-rule-z.md).
"""

from __future__ import annotations

from node.attention.lexicon import is_field_name
from node.workload.domains import ROUTINE_FLOOR
from node.workload.randomized import RandomizedWorkload, _SideScale

NOW = 1_700_000_000_000
NEWS = ("routine", "burst_head", "novel")


def _worlds(n: int = 60) -> list[RandomizedWorkload]:
    """Worlds whose kinds have distinct names (a record says only its kind's name)."""
    out = [RandomizedWorkload(seed) for seed in range(n)]
    return [w for w in out if len({k.name for k in w.kinds}) == len(w.kinds)]


def _number(v: object, unit: str) -> float:
    assert not isinstance(v, bool)
    if unit:
        assert isinstance(v, str), (v, unit)
        assert v.endswith(unit), (v, unit)
        return float(v[: -len(unit)])
    assert isinstance(v, int | float), v
    return float(v)


def _band(n: _SideScale, x: float) -> int:
    """The band holding ``x``; -1 when ``x`` sits near an edge of the routine band, where rounding
    (to an integer, or a fixed step to two significant digits) may have carried a value across."""
    e = n.scale.edges
    slack = 0.5 if n.scale.decimals < 0 else 0.0
    for edge in e[:2]:
        if abs(x - edge) <= 0.06 * abs(edge) + slack:
            return -1
    spans = [sorted((e[i], e[i + 1])) for i in range(n.levels)]
    return min(range(n.levels), key=lambda i: 0.0 if spans[i][0] <= x <= spans[i][1]
               else min(abs(x - spans[i][0]), abs(x - spans[i][1])))


def test_worlds_hold_both_sorts_of_neutral_number_under_unread_names() -> None:
    prio = routine = 0
    for w in _worlds():
        for k in w.kinds:
            for n in k.scales:
                assert not is_field_name(n.key), n.key
                assert 3 <= n.levels <= 6
                if n.priority:
                    prio += 1
                    # Only where nothing else says priority: no priority field, no neutral flag.
                    assert k.prio is None
                    assert not any(b.priority for b in k.bools)
                    assert 0.02 <= n.p_up <= 0.25
                else:
                    routine += 1
    # 0.15 of the free kinds and 0.12 of all kinds: dozens of each in 60 worlds.
    assert prio >= 10, prio
    assert routine >= 15, routine


def test_a_value_beyond_the_routine_band_is_priority_and_inside_it_is_not() -> None:
    raised = plain = 0
    for w in _worlds(40):
        kinds = {k.name: k for k in w.kinds}
        for lr in w.next_labeled(1500, NOW):
            if lr.case not in NEWS:
                continue
            for n in kinds[lr.record.kind].scales:
                if not n.priority:
                    continue
                band = _band(n, _number(lr.record.fields[n.key], n.scale.unit))
                if band > 0:
                    raised += 1
                    assert lr.importance >= 0.9 * 0.6 - 1e-6, lr
                if lr.case == "routine" and not lr.detail:  # no reason reaches 0.3: no raised step
                    plain += 1
                    assert band <= 0, lr
                if lr.detail == "priority":
                    assert band != 0, lr
    assert raised >= 40, raised
    assert plain >= 200, plain


def test_a_routine_number_of_the_same_shape_is_never_news() -> None:
    """A routine number spreads its values over every band, and its far values leave the label where
    its routine band's leave it: at the routine floor (a weak anomaly elsewhere may lift a few)."""
    far: list[float] = []
    near: list[float] = []
    bands: set[int] = set()
    for w in _worlds(40):
        kinds = {k.name: k for k in w.kinds}
        for lr in w.next_labeled(1000, NOW):
            k = kinds[lr.record.kind]
            ns = [n for n in k.scales if not n.priority]
            if lr.case != "routine" or lr.detail or not ns or k.prio is not None or any(n.priority for n in k.scales) \
                    or any(b.priority for b in k.bools):
                continue
            n = ns[0]
            band = _band(n, _number(lr.record.fields[n.key], n.scale.unit))
            bands.add(band)
            if band == n.levels - 1:
                far.append(lr.importance)
            elif band == 0:
                near.append(lr.importance)
    assert bands >= {0, 1, 2}, bands
    assert len(far) >= 30, len(far)
    assert len(near) >= 30, len(near)
    for labels in (far, near):
        assert min(labels) >= ROUTINE_FLOOR - 1e-6
        assert sorted(labels)[len(labels) // 2] < ROUTINE_FLOOR + 1e-6
    assert abs(sum(far) / len(far) - sum(near) / len(near)) < 0.02


class _OtherScales(RandomizedWorkload):
    SCALE_SALT = "another-salt"


def test_the_scale_generator_leaves_the_rest_of_a_world_alone() -> None:
    """Neutral numbers draw from their own generator: a world's kinds, numbers, booleans and rates
    are what the main and boolean generators make of the seed, whatever the scale seed."""
    differ = 0
    for seed in range(12):
        a, b = RandomizedWorkload(seed), _OtherScales(seed)
        assert [k.name for k in a.kinds] == [k.name for k in b.kinds]
        assert [k.weight for k in a.kinds] == [k.weight for k in b.kinds]
        assert [[(n.key, n.centre, n.spread) for n in k.nums] for k in a.kinds] == \
            [[(n.key, n.centre, n.spread) for n in k.nums] for k in b.kinds]
        assert [[(x.key, x.p_true, x.priority) for x in k.bools] for k in a.kinds] == \
            [[(x.key, x.p_true, x.priority) for x in k.bools] for k in b.kinds]
        assert a.rates == b.rates
        assert a.origins == b.origins
        differ += [[n.key for n in k.scales] for k in a.kinds] != [[n.key for n in k.scales] for k in b.kinds]
    assert differ >= 1  # the scale seed does reach the scales
