"""Attacks on the sync protocol against live nodes (issue 10, findings 8 and 11).

- A lying sync peer: it claims a huge head and answers every GetBlocks with a
  block the victim already holds, below what was asked (the old anti-entropy
  loop restarted below its own start and never finished), or with nothing.
  The victim's planner must ban it, and an honest late joiner must still
  catch up from the honest peers.
- A flooding peer: it keeps many sync requests open at once. It must be
  answered "busy" while honest catch-up still completes and ``status``
  answers within a second.

The nodes score with a small deterministic fake model, so these tests pin
down sync behaviour, not model quality.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence

import pytest
import trio

import node.sim.cluster as cluster_mod
from node.core.syncsvc import SYNC_PROTOCOL
from node.net import NetConfig, NetError, open_p2p
from node.sim.cluster import make_keys, open_cluster, wait_until, workload_json
from protocol.cid import cid_of
from protocol.codec import packb
from protocol.errors import AttnshareError
from protocol.record import Record
from protocol.sync import (
    MAX_RESPONSE_BYTES,
    BlocksResp,
    ErrorResp,
    GetBlocks,
    Heads,
    HeadsResp,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from tests.integration.test_attack_support import call_within

pytestmark = pytest.mark.slow


class FakeScorer:
    """Deterministic scores from record content: the same on every node."""

    model_id = cid_of(b"attnshare fake sync-test model")

    def score(self, records: Sequence[Record]) -> list[float]:
        return [0.3 + 0.7 * (zlib.crc32(r.cid.encode()) % 1000) / 1000 for r in records]


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_mod, "_SCORER", FakeScorer())


def committed_ids(node) -> set[str]:
    return {b.block_id for b in node.store.list_blocks(status="committed", limit=100_000)}


async def _commit_some(c) -> set[str]:
    now = int(time.time() * 1000)
    await c.nodes[0].ingest(workload_json(600, seed=31, now_ms=now))
    await c.nodes[1].ingest(workload_json(600, seed=32, now_ms=now))
    with trio.fail_after(60):
        await c.nodes[0].consensus.wait_commits(2)
        await wait_until(c.nodes, lambda: all(n.status().pending == 0 for n in c.nodes), 60, "drained")
        target = committed_ids(c.nodes[0])
        for n in c.nodes:
            await wait_until(n, lambda n=n: committed_ids(n) >= target, 60, "replication")
    return target


async def test_lying_sync_peer_is_banned_and_honest_catch_up_completes(tmp_path):
    async with open_cluster(tmp_path, genesis_kw={"ship_share": 0.5}) as c:
        target = await _commit_some(c)
        # The proposer shipped to its budget, and status says so (issue 9). "pending == 0" holds
        # as soon as the last window is taken off the queue, before it is scored: wait for that.
        await wait_until(c.nodes[0], lambda: (b := c.nodes[0].status().ship_budget) is not None and b.seen == 600,
                         30, "the last window scored")
        budget = c.nodes[0].status().ship_budget
        assert budget is not None
        assert budget.share == 0.5
        assert budget.seen == 600
        assert abs(budget.shipped / budget.seen - 0.5) <= 0.05
        victim_validator = c.nodes[0].me
        row = c.nodes[0].store.blocks_range(victim_validator, 1, 1)[0]
        old_block = (packb([row.header, row.payload]), row.cert)  # seq 1: everyone holds it
        asked: list[object] = []

        async def lie(peer: str, data: bytes) -> bytes:
            req = decode_request(data)
            asked.append(req)
            if isinstance(req, Heads):
                return encode_response(HeadsResp(((victim_validator, 2**40, row.block_id, 2**40),)))
            if isinstance(req, GetBlocks):
                return encode_response(BlocksResp((old_block,)))  # below from_seq, every time
            return encode_response(ErrorResp(404, "no"))

        async with open_p2p(b"\x66" * 32, NetConfig()) as liar:
            liar.set_handler(SYNC_PROTOCOL, lie)
            observer = await c.add_node(make_keys(1, salt=9)[0])
            await liar.connect(observer.p2p.addrs()[0])
            with trio.fail_after(60):
                await wait_until(observer, lambda: observer.sync.is_banned(liar.peer_id), 60, "the liar banned")
                await wait_until(observer, lambda: committed_ids(observer) >= target, 60, "honest catch-up")
            assert any(isinstance(r, GetBlocks) for r in asked)
            # Banned: no more rounds with the liar, however long we wait.
            n_asked = len(asked)
            await trio.sleep(2.0)  # several anti-entropy rounds (0.5 s) with the liar connected
            assert len(asked) == n_asked
            call_within(observer.status)


async def test_sync_flood_is_refused_and_honest_catch_up_completes(tmp_path):
    async with open_cluster(tmp_path, genesis_kw={"ship_share": 0.5}) as c:
        target = await _commit_some(c)
        server = c.nodes[0]
        refused = ok = 0
        flooding = trio.Event()  # set once the flood is visibly being refused

        async def one(p2p, req) -> None:
            # Refused: "busy" from the sync gate or the stream layer, or cut off
            # altogether once the net budget disconnects and blocks the flooder.
            nonlocal refused, ok
            try:
                resp = decode_response(await p2p.request(server.me, SYNC_PROTOCOL, encode_request(req),
                                                         max_response=MAX_RESPONSE_BYTES))
            except (NetError, AttnshareError):
                refused += 1
                await trio.sleep(0.01)  # a cut-off flooder must not spin the shared event loop
            else:
                if isinstance(resp, ErrorResp):
                    refused += 1
                else:
                    ok += 1
            if refused >= 32:
                flooding.set()

        async def flood(p2p) -> None:
            reqs = [Heads(), GetBlocks(server.me, 1, 256)]
            while True:
                async with trio.open_nursery() as n:
                    for i in range(64):
                        n.start_soon(one, p2p, reqs[i % 2])

        async with open_p2p(b"\x67" * 32, NetConfig()) as flooder, trio.open_nursery() as nursery:
            await flooder.connect(server.p2p.addrs()[0])
            nursery.start_soon(flood, flooder)
            with trio.fail_after(60):  # opening 64 streams at once takes py-libp2p a few seconds
                await flooding.wait()
            # A late joiner that can only sync from the flooded node, while the flood goes on.
            observer = await c.add_node(make_keys(1, salt=8)[0])
            with trio.fail_after(60):
                await wait_until(observer, lambda: committed_ids(observer) >= target, 60, "catch-up under flood")
            for _ in range(5):
                call_within(server.status)
                await trio.sleep(0.1)
            nursery.cancel_scope.cancel()
        assert refused > 0
        assert ok < refused  # most of a flood is refused, whichever layer refuses it
