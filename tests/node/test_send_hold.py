"""Back-pressure on publish (`Gossip._wait_send_room`), on fake queues and trio's autojump clock.

A peer that takes nothing is not waited for after `send_stall_s`; a peer that takes a message just
often enough may hold publishing only out of its hold budget (2 x send_stall_s at once, refilled at
`send_hold_share`); strangers share one budget, each known peer has its own (review 36: peers reading
one RPC just in time, in turn, paced publishing 15-35 times; the first version of the stall rule also
stopped waiting for honest peers under a burst, and let a publish loop starve the event loop)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import trio
from libp2p.peer.id import ID

from node.net import NetConfig
from node.net.budget import Budget, BudgetParams
from node.net.gossip import Gossip, HoldBudget, _Pubsub
from node.net.pulse import Pulse
from protocol.keys import PrivateKey

TOPIC = "t"


def peer(i: int) -> ID:
    return ID.from_base58(PrivateKey(bytes([40 + i]) * 32).peer_id)


def gossip(peers: list[ID], known: list[ID] = ()) -> Gossip:  # type: ignore[assignment]
    """A Gossip whose pubsub is a fake: a queue (list) per peer, all subscribed to TOPIC."""
    g = object.__new__(Gossip)
    cfg = NetConfig()
    budget = Budget(BudgetParams())
    budget.add_known(p.to_base58() for p in known)
    pubsub = SimpleNamespace(peer_topics={TOPIC: set(peers)}, peer_queues={p: [] for p in peers},
                             unwritten_since={}, stalled=set(), send_stalls=0)
    pubsub.wrote = lambda p: _Pubsub.wrote(pubsub, p)  # type: ignore[arg-type]
    g.__dict__.update(_config=cfg, _budget=budget, _pulse=Pulse(), pubsub=pubsub, _holds={},
                      _stranger_hold=HoldBudget(2.0 * cfg.send_stall_s, cfg.send_hold_share),
                      _spent_logged=float("-inf"))
    return g


async def drip(g: Gossip, p: ID, period: float) -> None:
    """A peer that takes one RPC every ``period`` s; its queue is refilled at once (it stays full)."""
    while True:
        await trio.sleep(period)
        g.pubsub.wrote(p)
        g._pulse.fire()


async def publish_loop(g: Gossip, n: int) -> float:
    t0 = trio.current_time()
    for _ in range(n):
        await g._wait_send_room(TOPIC)
        await trio.sleep(0.01)  # the unimpeded publish: 10 ms each
    return trio.current_time() - t0


def fill(g: Gossip, *peers: ID) -> None:
    for p in peers:
        g.pubsub.peer_queues[p][:] = [object()] * g._config.send_queue


async def test_a_peer_that_takes_nothing_holds_a_publish_once_for_send_stall_s(autojump_clock: Any) -> None:
    p = peer(0)
    g = gossip([p])
    fill(g, p)
    assert await publish_loop(g, 100) < 1.0 + 100 * 0.01 + 1e-6
    assert g.pubsub.send_stalls == 1
    assert p in g.pubsub.stalled


async def test_one_stranger_that_takes_just_enough_costs_at_most_its_share(autojump_clock: Any) -> None:
    p = peer(0)
    g = gossip([p])
    fill(g, p)
    async with trio.open_nursery() as n:
        n.start_soon(drip, g, p, 0.9)
        took = await publish_loop(g, 2000)  # 20 s unimpeded
        n.cancel_scope.cancel()
    # Held at most the burst (2 s) plus a quarter of the time: about 20 + 2 + 0.25 x 29.3.
    assert took <= (20 + 2) / (1 - 0.25) + 0.5, took
    assert g.pubsub.send_stalls == 0  # it did take something each time: never "stalled"


async def test_strangers_share_one_budget_and_known_peers_have_their_own(autojump_clock: Any) -> None:
    sybils = [peer(i) for i in range(6)]
    validator = peer(10)
    g = gossip([*sybils, validator], known=[validator])
    fill(g, *sybils)
    async with trio.open_nursery() as n:
        for i, p in enumerate(sybils):
            n.start_soon(drip, g, p, 0.5 + 0.07 * i)  # out of step: their queues free a slot in turn
        took = await publish_loop(g, 2000)
        n.cancel_scope.cancel()
    assert took <= (20 + 2) / (1 - 0.25) + 0.5, took  # six sybils cost one stranger's share
    now = trio.current_time()
    assert g._stranger_hold.take_until(now) < now + 0.5  # what is left of it is small

    # The strangers' budget does not hold back a validator's own: fresh and full, it is waited for.
    fill(g, validator)
    for p in sybils:
        g.pubsub.wrote(p)  # the sybils take something now: they would be waited for, out of their budget
    t0 = trio.current_time()
    await g._wait_send_room(TOPIC)
    assert trio.current_time() - t0 == g._config.send_stall_s  # the validator's stall bound, not the budget


async def test_a_publish_yields_even_when_nobody_is_waited_for(autojump_clock: Any) -> None:
    p = peer(0)
    g = gossip([p])
    fill(g, p)
    g.pubsub.unwritten_since[p] = -100.0  # long stalled: never waited for
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await trio.lowlevel.checkpoint()
            ticks += 1

    async with trio.open_nursery() as n:
        n.start_soon(ticker)
        for _ in range(100):
            await g._wait_send_room(TOPIC)  # no sleep between: an unpaced publish loop
        n.cancel_scope.cancel()
    assert ticks >= 50


def test_hold_budget_refills_at_its_share_up_to_its_burst() -> None:
    h = HoldBudget(2.0, 0.25)
    assert h.take_until(10.0) == 12.0
    h.spend(2.0)
    assert h.take_until(10.0) == 10.0  # spent
    assert h.take_until(14.0) == 15.0  # 4 s at a quarter: 1 s
    assert h.take_until(100.0) == 102.0  # never more than the burst
