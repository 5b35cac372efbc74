"""Issue 10 finding 6 against live in-process nodes: a validator trying to fill the disk.

Node 3's key plays the byzantine validator. It signs two variants of every
slot from its head to far beyond it (so every slot is also an equivocation
to record), sprays votes for invented slots of every proposer, and delivers
all of it both over gossip (the rogue peer) and straight into node 1's
consensus. The safe behaviour: honest blocks keep committing on every honest
node, ``status`` answers within 1 s, and each honest store holds no more of
the attacker's blocks, bytes, votes and evidence than StoreParams allows
(docs/store.md).
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
import trio

from node.net.topics import encode_block_announce
from node.sim.cluster import open_cluster, open_rogue
from node.sim.rogue import invented_slot_votes, variant_blocks
from node.store import StoreParams
from protocol.vote import VoteBatch
from tests.integration.test_attack_consensus import LoopProbe, honest_traffic_commits

pytestmark = pytest.mark.slow


def _count(node: Any, sql: str, *args: Any) -> int:
    conn = node.store._conn
    assert conn is not None
    with node.store._lock:
        return int(conn.execute(sql, args).fetchone()[0])


async def test_finding6_a_validator_cannot_fill_the_disk(tmp_path: Any) -> None:
    # No importance bar: this test is about what the store keeps, not about which blocks clear it.
    async with open_cluster(tmp_path, genesis_kw={"min_block_importance": 0.0}) as c, open_rogue(c) as rogue, \
            trio.open_nursery() as nursery:
        probe = LoopProbe()
        nursery.start_soon(probe.run)
        byz = c.nodes[3]
        rng = random.Random(6)
        head, prev = byz.consensus.tips().get(byz.me, (0, None))
        slots = range(head + 1, head + 400)

        async def attack() -> None:
            now = int(time.time() * 1000)
            for seq in slots:
                for block in variant_blocks(byz.key, c.genesis, seq, prev, 2, now):
                    await rogue.publish(c.nodes[0].topics.blocks, encode_block_announce(block, 0))
                    c.nodes[1].consensus.post_block(block, "rogue")
                if seq % 20 == 0:
                    votes = invented_slot_votes(byz.key, c.genesis, rng, 64, max_seq=head + 500)
                    await rogue.publish(c.nodes[0].topics.votes, VoteBatch(tuple(votes)).encode())
                    c.nodes[1].consensus.post_votes(votes, "rogue")
                    await trio.sleep(0.01)

        async with trio.open_nursery() as n:
            n.start_soon(attack)
            await honest_traffic_commits(c, probe, seed=61)
        for node in c.nodes[:3]:
            check_bounded(node, byz.me, len(c.genesis.validators.peer_ids))
        # The attack reached the store's bounds (not only consensus's): the evidence cap was hit.
        assert any(node.store.footprint().refused.get("evidence_duplicate_or_cap") for node in c.nodes[:3])
        nursery.cancel_scope.cancel()


def check_bounded(node: Any, byz: str, proposers: int) -> None:
    p = StoreParams()
    window = p.retain_slots + p.slots_ahead
    uncommitted = "FROM blocks WHERE proposer = ? AND status != 'committed'"
    assert _count(node, f"SELECT count(*) {uncommitted}", byz) <= window * p.max_blocks_per_slot
    assert _count(node, f"SELECT coalesce(sum(bytes), 0) {uncommitted}", byz) <= (
        p.max_uncommitted_bytes_per_proposer
    )
    assert _count(node, "SELECT count(*) FROM votes WHERE voter = ?", byz) <= (
        proposers * (window + 1) * p.max_votes_per_voter_slot
    )
    assert _count(node, "SELECT count(*) FROM evidence WHERE offender = ?", byz) <= (
        p.max_evidence_per_offender
    )
    # One evidence row per (kind, offender, slot), never one per conflicting pair.
    assert _count(
        node, "SELECT count(*) FROM (SELECT 1 FROM evidence GROUP BY kind, offender, proposer, seq "
        "HAVING count(*) > 1)"
    ) == 0
    # The node says what it costs, without touching SQLite.
    assert node.status().store.db_bytes > 0
