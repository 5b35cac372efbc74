"""The consensus task's inbox (node/core/inbox.py): bounds, order, idleness."""

from __future__ import annotations

import dataclasses

import trio

from node.core.inbox import Inbox, Job, event_bytes
from protocol import slots as sl
from tests.node.test_consensus import P, block, vote


async def test_internal_jobs_go_first_and_gossip_keeps_its_order() -> None:
    inbox = Inbox(max_events=8, max_bytes=1 << 20)
    b1, b2 = block(P, 1), block(P, 2)
    assert inbox.post_gossip(sl.BlockSeen(b1, None))
    assert inbox.post_gossip(sl.BlockSeen(b2, None))
    tick = Job(None)
    inbox.post(tick)
    assert (await inbox.next()) is tick
    first, second = await inbox.next(), await inbox.next()
    assert isinstance(first.event, sl.BlockSeen)
    assert first.event.block is b1
    assert isinstance(second.event, sl.BlockSeen)
    assert second.event.block is b2


async def test_gossip_is_bounded_by_count_and_by_payload_bytes() -> None:
    b = block(P, 1)
    one = event_bytes(sl.BlockSeen(b, None))
    assert one > len(b.payload or b"")  # the decoded header counts too
    by_count = Inbox(max_events=2, max_bytes=1 << 20)
    assert by_count.post_gossip(sl.VotesSeen((vote(P, b),), None))
    assert by_count.post_gossip(sl.VotesSeen((vote(P, b),), None))
    assert not by_count.post_gossip(sl.VotesSeen((vote(P, b),), None))
    by_bytes = Inbox(max_events=100, max_bytes=2 * one)
    assert by_bytes.post_gossip(sl.BlockSeen(b, None))
    assert by_bytes.post_gossip(sl.BlockSeen(b, None))
    assert not by_bytes.post_gossip(sl.BlockSeen(b, None))
    votes = sl.VotesSeen((vote(P, b),), None)
    assert not by_bytes.post_gossip(votes)  # votes count too: the queue is full by bytes
    assert by_bytes.gossip_bytes == 2 * one
    await by_bytes.next()
    assert by_bytes.gossip_bytes == one
    assert event_bytes(votes) == 400
    for _ in range(4):
        by_bytes.post(Job(None))  # internal jobs are never refused
    assert by_bytes.post_gossip(sl.BlockSeen(b, None))


async def test_wait_idle_returns_only_once_every_posted_job_is_taken() -> None:
    inbox = Inbox(max_events=8, max_bytes=1 << 20)
    taken: list[Job] = []

    async def consumer() -> None:
        while True:
            job = await inbox.next()
            await trio.sleep(0.01)  # handling takes time: idle must wait for it
            taken.append(job)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(consumer)
        for _ in range(3):
            inbox.post(Job(None))
        await inbox.wait_idle()
        assert len(taken) == 3
        nursery.cancel_scope.cancel()


async def test_header_only_announces_count_their_headers() -> None:
    # Review 25: a header-only announce counted 0 bytes, so 4,096 queued of them (4,096 scores and a
    # 1,024-entry view each) held about 870 MiB while the consumer was busy.
    b = block(P, 1)
    bare = dataclasses.replace(b, payload=None)
    assert event_bytes(sl.BlockSeen(bare, None)) >= 2048 + 10 * b.header.record_count
    inbox = Inbox(max_events=4096, max_bytes=10 * event_bytes(sl.BlockSeen(bare, None)))
    posted = sum(inbox.post_gossip(sl.BlockSeen(bare, None)) for _ in range(100))
    assert posted == 10
