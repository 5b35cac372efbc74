"""Byzantine members in the virtual engine: the same attacks as :mod:`node.sim.rogue`, on simulated I/O.

* :class:`VirtualVoter` (``byzantine-voter``): for each honest block it sees,
  it votes ACCEPT for that block and ACCEPT for a made-up block id in the
  same slot, up to ``max_equivocations`` slots, then only the real vote;
* :class:`VirtualProposer` (``byzantine-proposer``): every ``interval_s`` in
  turn *junk* (records the scorer finds least important, with honest claims),
  *lie* (the same records claimed at +0.5) and *equivocate* (two different
  valid blocks for one slot); it tallies what it hears to keep its chain
  (``seq``, ``prev``) as the validators see it;
* :class:`VirtualFlood` (``flood``): publishes malformed messages at ``rate``
  per second; every honest receiver refuses them (their bytes still count).

Each logs what it injects in the event format of ``node.sim.rogue`` (``ready``,
``inject`` with ``kind``/``offender``/``slot`` for equivocations), so the same
invariants check both engines. Before its fault time a rogue only relays
gossip (the mesh does that for every node) and does nothing else.
"""

from __future__ import annotations

import random
from typing import Any

from node.sim.virtual.node import VirtualNode
from protocol.admission import block_importance
from protocol.block import Block, build_block
from protocol.cid import cid_of
from protocol.record import Record
from protocol.vote import Decision, Reason, Vote, sign_vote


class _RogueMixin:
    active = False
    until_ms = 0
    events: list[dict[str, Any]]

    def _log(self: Any, event: str, **fields: Any) -> None:
        self.events.append({"event": event, "t_ms": self.sched.now_ms, **fields})

    def activate(self: Any, until_ms: int) -> None:
        self.active = True
        self.until_ms = until_ms
        self._log("go")

    def _on(self: Any) -> bool:
        return bool(self.active and self.up and self.sched.now_ms < self.until_ms)


class VirtualVoter(_RogueMixin, VirtualNode):
    """See the module docstring."""

    def setup(self, max_equivocations: int, seed: int) -> None:
        self.events = [{"event": "ready", "t_ms": 0}]
        self.max_eq = max_equivocations
        self.injected = 0
        self.seen: set[tuple[str, int]] = set()
        self.vrng = random.Random(seed)

    def on_block(self, block: Block, frm: int) -> None:
        h = block.header
        if not self._on() or h.proposer == self.me or not self.genesis.is_proposer(h.proposer):
            return
        if h.slot in self.seen:
            return
        self.seen.add(h.slot)
        gid = self.genesis.id
        real = sign_vote(Vote(block.block_id, h.proposer, h.seq, self.me, Decision.ACCEPT, Reason.OK), self.key, gid)
        self.send_votes([real])
        if self.injected >= self.max_eq:
            return
        fake_id = cid_of(self.vrng.randbytes(32))
        fake = sign_vote(Vote(fake_id, h.proposer, h.seq, self.me, Decision.ACCEPT, Reason.OK), self.key, gid)
        self.injected += 1
        self._log("inject", action="double-vote", kind="voter-equivocation", offender=self.me,
                  slot=[h.proposer, h.seq], block_ids=[block.block_id, fake_id])
        # A separate batch, a few ms later: different nodes see the two in either order.
        self.sched.after(3, lambda: self.send_votes([fake]))

    def on_votes(self, votes: Any) -> None:
        return

    def _cut(self) -> None:
        self._cut_scheduled = False


class VirtualProposer(_RogueMixin, VirtualNode):
    """See the module docstring. Tallies like an honest non-voter, proposes like a liar."""

    def setup(self, actions: tuple[str, ...], interval_ms: int, seed: int, pool: list[Record]) -> None:
        self.events = [{"event": "ready", "t_ms": 0}]
        self.actions = actions
        self.interval_ms = interval_ms
        self.prng = random.Random(seed)
        self.pool = pool  # candidate records under our origin (from the workload)
        self.turn = 0
        self.is_validator = False  # never votes: its slots are judged by the others alone
        self.slot_seq = 1
        self.prev: str | None = None
        self.waiting: tuple[int, Block] | None = None

    def activate(self, until_ms: int) -> None:
        super().activate(until_ms)
        self._act()

    def _act(self) -> None:
        if not self._on():
            return
        self.sched.after(self.interval_ms, self._act)
        tip = self.core.chain.tip(self.me)
        # Our chain as the validators see it: the next undecided seq, prev = our latest commit.
        self.slot_seq, self.prev = tip.decided + 1, tip.committed_id
        if (self.me, self.slot_seq) in self._open_slots():
            return  # previous slot still undecided here: wait
        action = self.actions[self.turn % len(self.actions)]
        self.turn += 1
        getattr(self, "_" + action)()

    def _open_slots(self) -> set[tuple[str, int]]:
        seq = self.core.chain.tip(self.me).decided + 1
        return {(self.me, seq)} if self.core.open_block_ids(self.me, seq) else set()

    def _pick(self, n: int) -> list[Record]:
        ranked = sorted(self.pool, key=lambda r: (self.sh.scorer.score([r])[0], r.cid))
        return ranked[:n]

    def _build(self, records: list[Record], claimed: list[float], dt: int = 0) -> Block:
        # It names a committed view like an honest proposer (its own entry: the seq of prev), so
        # its junk and lies are judged on importance, not refused by the view rule first.
        ids = self.genesis.proposer_ids
        view = list(self.store.committed_view(ids))
        view[ids.index(self.me)] = self.core.chain.tip(self.me).committed_seq if self.prev is not None else 0
        return build_block(self.key, network=self.genesis.network_id, genesis_id=self.genesis.id,
                           seq=self.slot_seq, prev=self.prev, created_ms=self.sched.now_ms + dt,
                           model_id=self.sh.scorer.model_id, records=records, scores=claimed, view=view)

    def _junk(self) -> None:
        recs = self._pick(32)
        claimed = self.sh.scorer.score_block(recs)
        b = self._build(recs, claimed)
        mean = block_importance(claimed)
        self._log("inject", action="junk", slot=[self.me, self.slot_seq], block_ids=[b.block_id],
                  mean_score=round(mean, 4), expect="rejected" if mean < self.genesis.min_block_importance
                  else "accepted")
        self._send([b])

    def _lie(self) -> None:
        recs = self._pick(32)
        claimed = [min(1.0, s + 0.5) for s in self.sh.scorer.score_block(recs)]
        b = self._build(recs, claimed)
        self._log("inject", action="lie", slot=[self.me, self.slot_seq], block_ids=[b.block_id], expect="rejected")
        self._send([b])

    def _equivocate(self) -> None:
        ranked = sorted(self.pool, key=lambda r: (-self.sh.scorer.score([r])[0], r.cid))[:32]
        a_recs, b_recs = ranked[::2], ranked[1::2]
        a = self._build(a_recs, self.sh.scorer.score_block(a_recs))
        b = self._build(b_recs, self.sh.scorer.score_block(b_recs), 1)
        self._log("inject", action="equivocate", kind="proposer-equivocation", offender=self.me,
                  slot=[self.me, self.slot_seq], block_ids=[a.block_id, b.block_id])
        self._send([a, b])

    def _send(self, blocks: list[Block]) -> None:
        for b in blocks:
            self.store.put_block(b, self.sched.now_ms)
            self.on_block(b, -1)
            self.publish_block(b)
        # Like node.sim.rogue: vote for our first block (this also breaks an even split of honest
        # first-seen votes on an equivocation, so the slot decides).
        h = blocks[0].header
        sv = sign_vote(Vote(blocks[0].block_id, self.me, h.seq, self.me, Decision.ACCEPT, Reason.OK), self.key,
                       self.genesis.id)
        self.send_votes([sv])
        VirtualNode.on_votes(self, (sv,))

    def _cut(self) -> None:
        self._cut_scheduled = False


class VirtualFlood(_RogueMixin, VirtualNode):
    """See the module docstring."""

    def setup(self, rate: float, seed: int) -> None:
        self.events = [{"event": "ready", "t_ms": 0}]
        self.period_ms = max(1, int(1000 / rate))
        self.frng = random.Random(seed)
        self.sent = 0

    def activate(self, until_ms: int) -> None:
        super().activate(until_ms)
        self._send()

    def _send(self) -> None:
        if not self._on():
            self._log("flood-end", sent=self.sent, by_kind={"malformed": self.sent})
            return
        size = self.frng.choice((64, 1024, 65536))
        self.net.publish(self.index, size, lambda i, frm: self.nodes[i].deliver_junk(size, frm))
        self.sent += 1
        self.sched.after(self.period_ms, self._send)

    def on_votes(self, votes: Any) -> None:
        return

    def on_block(self, block: Block, frm: int) -> None:
        return
