"""A byzantine network member, as its own OS process: ``python -m node.sim.rogue``.

It takes the place of one node of a LocalNet: it reads that node's data dir
(identity key, config with listen address, bootstrap peers and genesis), so the
honest daemons dial it as they would dial that node, and no daemon runs with
the same key at the same time. It speaks the wire protocol directly, through
:mod:`protocol` and :func:`node.net.open_p2p`, and misbehaves in one of three
modes:

* ``proposer``: a byzantine proposer. In turn it ships *junk* (the records
  its own model scores lowest, with honest claims, so validators must reject
  them as LOW_IMPORTANCE), *lies* (low-value records claimed at high scores:
  SCORE_MISMATCH) and *equivocates* (two different valid blocks for one slot:
  proposer-equivocation evidence). It tallies the votes it hears with a
  :class:`~protocol.quorum.QuorumTracker`, waits for each slot to be decided
  and keeps its chain (``seq``, ``prev``) as the validators see it;
* ``voter``: a byzantine validator. For each honest block it sees, it votes
  ACCEPT for that block and ACCEPT for a made-up block id in the same slot
  (voter-equivocation evidence), up to ``--max-equivocations``;
* ``flood``: a rogue peer publishing malformed, forged, oversized and
  zstd-bomb messages (see :mod:`node.sim.hostile`) at ``--rate`` per second;
* ``attack``: a byzantine validator running one of the consensus attacks of
  :data:`ATTACKS` (``--attack``) at ``--rate`` messages per second: votes for
  invented slots (finding 3), replayed and unfetchable blocks (finding 5),
  header-only announces of held blocks (finding 9), a vote flood against the
  consensus queue (finding 10), many equivocating variants of one slot
  (finding 12). The message builders are plain functions, so in-process
  attack tests use them too.

Everything it injects is appended to ``--log`` as JSON lines (one object per
event, flushed at once), so the simulation runner can check that every
injected equivocation left evidence behind even if this process is killed.
With ``--wait-signal`` it joins, writes ``ready`` and waits for SIGUSR1
before misbehaving: the runner starts it with the daemons, so loading the
model and joining the mesh cost no scenario time. It exits 0 ``--duration``
seconds after it starts misbehaving, or on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import logging
import random
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import trio

from node.config import load_config
from node.identity import load_key
from node.net import NetConfig, NetError, open_p2p
from node.net.topics import Topics, Validators, decode_block_announce, encode_block_announce
from node.runner import load_genesis
from node.sim.childout import ROGUE_READY_LINE
from protocol.admission import block_importance, clears_importance
from protocol.block import Block, BlockLimits, build_block
from protocol.cid import cid_of
from protocol.errors import AttnshareError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Committed, QuorumTracker, Rejected
from protocol.record import Record
from protocol.vote import Decision, Reason, Vote, VoteBatch, decode_vote_batch, sign_vote

log = logging.getLogger("attnshare.rogue")

REANNOUNCE_S = 3.0
DECIDE_TIMEOUT_S = 20.0
BLOCK_RECORDS = 12
EQUIVOCATION_RECORDS = 4
JUNK_MARGIN = 0.02  # how far below the genesis importance threshold a junk block aims
JUNK_TRIES = 40


def wall_ms() -> int:
    return int(time.time() * 1000)


class EventLog:
    """JSON lines, flushed per event: the runner reads them even after a kill -9."""

    def __init__(self, fh: TextIO) -> None:
        self.fh = fh

    def write(self, event: str, **fields: Any) -> None:
        self.fh.write(json.dumps({"t_ms": wall_ms(), "event": event, **fields}) + "\n")
        self.fh.flush()


class Rogue:
    """What every mode shares: identity, genesis, the libp2p host and the event log."""

    def __init__(self, key: PrivateKey, genesis: Genesis, p2p: Any, events: EventLog) -> None:
        self.key = key
        self.me = key.peer_id
        self.genesis = genesis
        self.p2p = p2p
        self.events = events
        self.topics = Topics.for_network(genesis.network_id)
        self.limits = BlockLimits()
        self.model_id = genesis.accepted_model_ids[0]
        self.tracker = QuorumTracker(genesis.validators, genesis.id)
        self.decided: dict[tuple[str, int], tuple[str, str | None]] = {}
        self.decided_changed = trio.Event()

    async def publish(self, kind: str, data: bytes) -> bool:
        topic = getattr(self.topics, kind)
        try:
            with trio.fail_after(10):
                await self.p2p.publish(topic, data)
        except (NetError, trio.TooSlowError) as exc:
            log.info("publish on %s failed: %s", kind, exc)
            return False
        return True

    async def send_votes(self, votes: Sequence[Any]) -> None:
        await self.publish("votes", VoteBatch(tuple(votes)).encode())
        self.tally(votes)

    def tally(self, votes: Sequence[Any]) -> None:
        """Feed votes to our own tracker so we know how the validators decided our slots."""
        now = wall_ms()
        for sv in votes:
            try:
                effects = self.tracker.handle_vote(sv, now)
            except AttnshareError:
                continue
            for eff in effects:
                if isinstance(eff, Committed):
                    c = eff.certificate
                    self._decide((c.proposer, c.seq), "committed", c.block_id)
                elif isinstance(eff, Rejected):
                    self._decide((eff.proposer, eff.seq), "rejected", eff.block_id)
                # EvidenceFound here is our own equivocation seen from the other side: nothing to do.

    def _decide(self, slot: tuple[str, int], outcome: str, block_id: str | None) -> None:
        self.decided[slot] = (outcome, block_id)
        if slot[0] == self.me:
            self.events.write("decided", slot=list(slot), outcome=outcome, block_id=block_id)
        self.decided_changed.set()
        self.decided_changed = trio.Event()

    async def pump_votes(self, chan: trio.MemoryReceiveChannel[tuple[str, bytes]]) -> None:
        async for _peer, data in chan:
            try:
                batch = decode_vote_batch(data)
            except AttnshareError:
                continue
            self.tally(batch.votes)

    async def drain(self, chan: trio.MemoryReceiveChannel[tuple[str, bytes]]) -> None:
        async for _ in chan:
            pass


# ---------------------------------------------------------------------- proposer
class ByzantineProposer:
    """Junk, lies and equivocation from a validator's key; see the module docstring."""

    def __init__(self, rogue: Rogue, scorer: Any, actions: Sequence[str], interval_s: float, seed: int) -> None:
        from node.workload import Workload

        self.r = rogue
        self.actions = list(actions)
        self.interval_s = interval_s
        self.scorer = scorer
        self.workload = Workload(seed)
        self.threshold = rogue.genesis.record_threshold
        self.seq = 1
        self.prev: str | None = None
        self.prev_seq = 0  # the seq of ``prev``: our own entry of the committed view we name

    def view(self) -> tuple[int, ...]:
        """The committed view we name: per genesis proposer, the highest seq we heard committed (our
        own entry: the seq of ``prev``). Validators refuse a view that lags theirs or misnames our
        chain (CHAIN_RULE) before scoring, so without it junk and lies would never be judged on
        importance."""
        top: dict[str, int] = {}
        for (p, seq), (outcome, _bid) in self.r.decided.items():
            if outcome == "committed" and seq > top.get(p, 0):
                top[p] = seq
        return tuple(self.prev_seq if p == self.r.me else top.get(p, 0) for p in self.r.genesis.proposer_ids)

    async def score(self, records: list[Record]) -> list[float]:
        """In-block scores as validators compute them (the judge's weights where there are some)."""
        if "judge" in inspect.signature(self.scorer.score).parameters:
            return await trio.to_thread.run_sync(functools.partial(self.scorer.score, records, judge=True))
        return await trio.to_thread.run_sync(self.scorer.score, records)

    async def candidates(self, n: int = 256) -> list[tuple[Record, float]]:
        """Fresh workload records under our own origin, scored in one window."""
        recs = []
        for lr in self.workload.next_labeled(n, wall_ms()):
            r = lr.record
            recs.append(Record.create(r.kind, self.r.me, r.ts_ms, r.fields))
        uniq = list({r.cid: r for r in recs}.values())
        scores = await self.score(uniq)
        return sorted(zip(uniq, scores, strict=True), key=lambda rs: rs[1])

    def build(self, records: list[Record], claimed: list[float], created_ms: int | None = None) -> Block:
        return build_block(self.r.key, genesis_id=self.r.genesis.id, network=self.r.genesis.network_id,
                           seq=self.seq, prev=self.prev,
                           created_ms=created_ms or wall_ms(), model_id=self.r.model_id, records=records,
                           scores=claimed, view=self.view())

    async def run(self) -> None:
        i = 0
        while True:
            action = self.actions[i % len(self.actions)]
            i += 1
            await getattr(self, action)()
            await trio.sleep(self.interval_s)

    async def junk(self) -> None:
        """Records our model finds least important, with honest claims: only the importance is wrong."""
        pool = [r for r, _ in await self.candidates(1024)]
        records, spare = pool[:BLOCK_RECORDS], pool[BLOCK_RECORDS:]
        claimed = await self.score(records)
        target = self.r.genesis.min_block_importance
        # In the block's own context scores shift: swap the best-scored record for the next
        # dullest spare until the block is junk by the network's own measure.
        for _ in range(JUNK_TRIES):
            if block_importance(claimed) < target - JUNK_MARGIN or not spare:
                break
            records[max(range(len(claimed)), key=claimed.__getitem__)] = spare.pop(0)
            claimed = await self.score(records)
        block = self.build(records, claimed)
        mean = block_importance(claimed)
        self.r.events.write("inject", action="junk", slot=[self.r.me, self.seq], block_ids=[block.block_id],
                            mean_score=round(mean, 4), threshold=target,
                            expect="accepted" if clears_importance(claimed, self.r.genesis) else "rejected")
        await self.propose([block])

    async def lie(self) -> None:
        pool = await self.candidates()
        records = [r for r, _ in pool[:BLOCK_RECORDS]]
        honest = await self.score(records)
        claimed = [min(1.0, s + 0.5) for s in honest]
        block = self.build(records, claimed)
        self.r.events.write("inject", action="lie", slot=[self.r.me, self.seq], block_ids=[block.block_id],
                            max_lie=round(max(c - h for c, h in zip(claimed, honest, strict=True)), 4),
                            expect="rejected")
        await self.propose([block])

    async def equivocate(self) -> None:
        important = await self.important(2 * EQUIVOCATION_RECORDS)
        a_recs, a_claims = await self.fit(important[::2])
        b_recs, b_claims = await self.fit(important[1::2])
        now = wall_ms()
        a = self.build(a_recs, a_claims, now)
        b = self.build(b_recs, b_claims, now + 1)
        self.r.events.write("inject", action="equivocate", kind="proposer-equivocation", offender=self.r.me,
                            slot=[self.r.me, self.seq], block_ids=[a.block_id, b.block_id],
                            mean_scores=[round(sum(c) / len(c), 4) for c in (a_claims, b_claims)])
        await self.propose([a, b])

    async def important(self, want: int) -> list[Record]:
        """Records our model finds worth shipping (few per window: look through several windows)."""
        found: list[tuple[Record, float]] = []
        for _ in range(8):
            found += [(r, s) for r, s in await self.candidates(512) if s >= self.threshold]
            if len(found) >= want:
                break
        found.sort(key=lambda rs: rs[1])
        return [r for r, _ in (found[-want:] or (await self.candidates())[-want:])]

    async def fit(self, records: list[Record]) -> tuple[list[Record], list[float]]:
        """Like an honest proposer: claim in-block scores, dropping what falls below threshold once."""
        claimed = await self.score(records)
        keep = [r for r, c in zip(records, claimed, strict=True) if c >= self.threshold]
        if keep and len(keep) < len(records):
            return keep, await self.score(keep)
        return records, claimed

    async def propose(self, blocks: list[Block]) -> None:
        """Publish (all of) ``blocks`` for our current slot, vote for the first, wait for a decision."""
        slot = (self.r.me, self.seq)
        for b in blocks:
            await self.r.publish("blocks", encode_block_announce(b, 0))
        if len(blocks) > 1:
            # Both versions are out: the runner checks evidence only for equivocations that were (a
            # stop that lands between "inject" and here cut one short: nobody could have seen both).
            self.r.events.write("sent", slot=list(slot), block_ids=[b.block_id for b in blocks])
        first = blocks[0]
        # A validator votes for its own block; for an equivocation this also
        # breaks a 2-2 split of honest first-seen votes, so the slot decides.
        await self.r.send_votes([sign_vote(Vote(first.block_id, self.r.me, self.seq, self.r.me,
                                                Decision.ACCEPT, Reason.OK), self.r.key, self.r.genesis.id)])
        attempt = 0
        deadline = trio.current_time() + DECIDE_TIMEOUT_S
        while slot not in self.r.decided and trio.current_time() < deadline:
            with trio.move_on_after(REANNOUNCE_S):
                await self.r.decided_changed.wait()
                continue
            attempt += 1
            await self.r.publish("blocks", encode_block_announce(first, attempt))
        outcome, bid = self.r.decided.get(slot, ("undecided", None))
        if outcome == "committed":
            self.prev, self.prev_seq = bid, self.seq
        if outcome != "undecided":
            self.seq += 1  # an undecided slot blocks our chain: retry the same seq next time
        else:
            self.r.events.write("undecided", slot=list(slot))


# ---------------------------------------------------------------------- voter
class ByzantineVoter:
    """Votes for two blocks in each slot it sees, up to ``max_equivocations`` slots."""

    def __init__(self, rogue: Rogue, max_equivocations: int, seed: int) -> None:
        self.r = rogue
        self.max_equivocations = max_equivocations
        self.rng = random.Random(seed)
        self.seen: set[tuple[str, int]] = set()
        self.injected = 0

    async def run(self, chan: trio.MemoryReceiveChannel[tuple[str, bytes]]) -> None:
        async for _peer, data in chan:
            try:
                block = decode_block_announce(data, self.r.limits)
                block.signed.verify(self.r.genesis.id)
            except AttnshareError:
                continue
            h = block.signed.header
            slot = (h.proposer, h.seq)
            if h.proposer == self.r.me or not self.r.genesis.is_proposer(h.proposer) or slot in self.seen:
                continue
            self.seen.add(slot)
            real = sign_vote(Vote(block.block_id, h.proposer, h.seq, self.r.me, Decision.ACCEPT, Reason.OK),
                             self.r.key, self.r.genesis.id)
            if self.injected >= self.max_equivocations:
                await self.r.send_votes([real])
                continue
            fake_id = cid_of(self.rng.randbytes(32))
            fake = sign_vote(Vote(fake_id, h.proposer, h.seq, self.r.me, Decision.ACCEPT, Reason.OK), self.r.key,
                             self.r.genesis.id)
            self.injected += 1
            self.r.events.write("inject", action="double-vote", kind="voter-equivocation", offender=self.r.me,
                                slot=[h.proposer, h.seq], block_ids=[block.block_id, fake_id])
            # Two messages: each is a valid batch, and different nodes may see them in either order.
            await self.r.send_votes([real])
            await self.r.send_votes([fake])
            self.r.events.write("sent", slot=[h.proposer, h.seq], block_ids=[block.block_id, fake_id])


# ---------------------------------------------------------------------- flood
async def run_flood(rogue: Rogue, rate: float, seed: int, workers: int = 4) -> None:
    """Publish hostile messages at ``rate`` per second from ``workers`` concurrent publishers.

    Several publishers, so that one message stuck behind a slow peer's
    back-pressure does not hold up the rest of the flood.
    """
    from node.sim.hostile import Flood, make_bomb_frame

    flood = Flood(rogue.key, rogue.genesis.network_id, rogue.model_id, tuple(rogue.genesis.validators.peer_ids),
                  random.Random(seed), rogue.genesis.id)
    flood.bomb = await trio.to_thread.run_sync(make_bomb_frame)
    rogue.events.write("flood-start", rate=rate, bomb_bytes=len(flood.bomb))
    counter = {"next": 0, "sent": 0, "failed": 0}
    started = trio.current_time()

    async def worker(k: int) -> None:
        next_t = trio.current_time() + k / rate
        while True:
            i = counter["next"]
            counter["next"] += 1
            _name, topic, data = flood.next(i)
            counter["sent" if await rogue.publish(topic, data) else "failed"] += 1
            next_t += workers / rate
            await trio.sleep_until(next_t)

    try:
        async with trio.open_nursery() as nursery:
            for k in range(workers):
                nursery.start_soon(worker, k)
    finally:
        rogue.events.write("flood-end", sent=counter["sent"], failed=counter["failed"], by_kind=flood.counts,
                           seconds=round(trio.current_time() - started, 2))


# ---------------------------------------------------------------------- consensus attacks
# Builders: plain functions of a key and the genesis, so tests can use them in-process.


def invented_slot_votes(key: PrivateKey, genesis: Genesis, rng: random.Random, n: int,
                        max_seq: int = 100_000) -> list[Any]:
    """Finding 3: ``n`` validly signed ACCEPTs for made-up blocks in made-up slots of every proposer."""
    proposers = genesis.validators.peer_ids
    out = []
    for _ in range(n):
        seq = rng.randint(1, max_seq)
        vote = Vote(cid_of(rng.randbytes(16)), rng.choice(proposers), seq, key.peer_id, Decision.ACCEPT, Reason.OK)
        out.append(sign_vote(vote, key, genesis.id))
    return out


def variant_blocks(key: PrivateKey, genesis: Genesis, seq: int, prev: str | None, n: int,
                   created_ms: int, score: float = 0.9) -> list[Block]:
    """Findings 5 and 12: ``n`` different valid blocks for one slot of ``key`` (an equivocator)."""
    model_id = genesis.accepted_model_ids[0]
    out = []
    for i in range(n):
        recs = [Record.create("note", key.peer_id, created_ms + i, {"variant": i, "k": k}) for k in range(4)]
        out.append(build_block(key, genesis_id=genesis.id, network=genesis.network_id, seq=seq, prev=prev,
                               created_ms=created_ms + i, model_id=model_id, records=recs, scores=[score] * 4))
    return out


def replay_announces(block: Block, attempts: range) -> list[bytes]:
    """Findings 5 and 9: one block announced again and again under new ``attempt`` values."""
    return [encode_block_announce(block, a) for a in attempts]


ATTACKS = ("invented-slots", "unfetchable", "equivocate-many", "vote-flood")


async def run_attack(rogue: Rogue, name: str, rate: float, seed: int) -> None:
    """Publish one consensus attack at ``rate`` messages per second until cancelled."""
    rng = random.Random(seed)
    sent = 0
    try:
        while True:
            seq = max((t for (p, t) in rogue.decided if p == rogue.me), default=0) + 1
            if name == "invented-slots":
                batch = invented_slot_votes(rogue.key, rogue.genesis, rng, 64)
                await rogue.publish("votes", VoteBatch(tuple(batch)).encode())
            elif name == "vote-flood":
                batch = invented_slot_votes(rogue.key, rogue.genesis, rng, 64, max_seq=8)
                await rogue.publish("votes", VoteBatch(tuple(batch)).encode())
            elif name == "unfetchable":
                (b,) = variant_blocks(rogue.key, rogue.genesis, seq + rng.randint(0, 8), None, 1, wall_ms())
                await rogue.publish("blocks", encode_block_announce(b.header_only(), 0))
            else:
                for b in variant_blocks(rogue.key, rogue.genesis, seq, None, 8, wall_ms()):
                    await rogue.publish("blocks", encode_block_announce(b, 0))
            sent += 1
            await trio.sleep(1 / rate)
    finally:
        rogue.events.write("attack-end", attack=name, sent=sent)


# ---------------------------------------------------------------------- process
async def _keep_connected(p2p: Any, bootstrap: Sequence[str]) -> None:
    while True:
        connected = {p.peer_id for p in p2p.connected_peers()}
        for addr in bootstrap:
            if addr.rsplit("/p2p/", 1)[-1] in connected:
                continue
            try:
                with trio.move_on_after(5):
                    await p2p.connect(addr)
            except NetError as exc:
                log.debug("connect %s: %s", addr, exc)
        await trio.sleep(1.0)


async def run_rogue(args: argparse.Namespace, events: EventLog) -> None:
    """Join the network as the node of ``args.data_dir`` and misbehave for ``args.duration`` seconds."""
    config = load_config(args.data_dir)
    genesis = load_genesis(config.genesis_path)
    key = load_key(args.data_dir)
    scorer = None
    if args.mode == "proposer":
        # A byzantine proposer runs the network's model too: its lies are targeted.
        from node.attention import load_scorer

        scorer = await trio.to_thread.run_sync(load_scorer)
    async with open_p2p(key.seed, NetConfig(listen_addrs=tuple(config.listen))) as p2p:
        rogue = Rogue(key, genesis, p2p, events)
        proposer = None
        if args.mode == "proposer":
            proposer = ByzantineProposer(rogue, scorer, args.actions.split(","), args.interval, args.seed)
        # A byzantine member wants its lies heard, so it relays like an honest node: with the
        # honest pubsub validators it forwards only what they forward. Without them it would relay
        # the floods of other rogues, lose standing and be banned before its own blocks count.
        v = (Validators(genesis.network_id, genesis.validators, rogue.limits, genesis_id=genesis.id)
             if args.mode in ("proposer", "voter") else None)
        blocks = await p2p.subscribe(rogue.topics.blocks, v and v.block)
        votes = await p2p.subscribe(rogue.topics.votes, v and v.votes)
        certs = await p2p.subscribe(rogue.topics.certs, v and v.cert)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_keep_connected, p2p, config.bootstrap)
            nursery.start_soon(rogue.pump_votes, votes)
            nursery.start_soon(rogue.drain, certs)
            with trio.move_on_after(30):
                await p2p.wait_mesh_peers(rogue.topics.blocks, 1)
            # The receiver exists before "ready" is written: whoever reads "ready" may signal us.
            with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT, signal.SIGUSR1) as signals:
                events.write("ready", mode=args.mode, peer_id=key.peer_id, peers=len(p2p.connected_peers()))
                print(ROGUE_READY_LINE, flush=True)  # the runner waits on this line (node.sim.faults), no polling
                if args.wait_signal and not await _wait_go(signals, blocks):
                    events.write("exit")
                    nursery.cancel_scope.cancel()
                    return
                events.write("go")
                with trio.move_on_after(args.duration):
                    async with trio.open_nursery() as work:
                        work.start_soon(_stop_on_signal, signals, work.cancel_scope)
                        if args.mode == "proposer":
                            assert proposer is not None
                            work.start_soon(rogue.drain, blocks)
                            work.start_soon(proposer.run)
                        elif args.mode == "voter":
                            work.start_soon(ByzantineVoter(rogue, args.max_equivocations, args.seed).run, blocks)
                        elif args.mode == "attack":
                            work.start_soon(rogue.drain, blocks)
                            work.start_soon(run_attack, rogue, args.attack, args.rate, args.seed)
                        else:
                            work.start_soon(rogue.drain, blocks)
                            work.start_soon(run_flood, rogue, args.rate, args.seed)
            events.write("exit")
            nursery.cancel_scope.cancel()


async def _wait_go(signals: Any, blocks: trio.MemoryReceiveChannel[tuple[str, bytes]]) -> bool:
    """Wait for SIGUSR1 (True: start misbehaving) or SIGTERM/SIGINT (False), draining blocks meanwhile."""
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_drain_quietly, blocks)
        async for signum in signals:
            nursery.cancel_scope.cancel()
            return bool(signum == signal.SIGUSR1)
    return False


async def _drain_quietly(chan: trio.MemoryReceiveChannel[tuple[str, bytes]]) -> None:
    # Not ``async for``: that would close the channel when cancelled, and it is needed after "go".
    while True:
        await chan.receive()


async def _stop_on_signal(signals: Any, scope: trio.CancelScope) -> None:
    async for _ in signals:
        scope.cancel()
        return


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m node.sim.rogue", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", required=True, type=Path, help="the data dir of the node to impersonate")
    ap.add_argument("--mode", required=True, choices=["proposer", "voter", "flood", "attack"])
    ap.add_argument("--attack", choices=ATTACKS, default="invented-slots", help="attack: which one")
    ap.add_argument("--log", required=True, type=Path, help="JSON-lines event log (appended)")
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--actions", default="junk,lie,equivocate", help="proposer: comma-separated actions, in turn")
    ap.add_argument("--interval", type=float, default=3.0, help="proposer: seconds between actions")
    ap.add_argument("--rate", type=float, default=20.0, help="flood: messages per second")
    ap.add_argument("--max-equivocations", type=int, default=20, help="voter: slots to double-vote in")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wait-signal", action="store_true",
                    help="after joining, wait for SIGUSR1 before misbehaving (the runner starts us early)")
    ap.add_argument("--log-level", default="WARNING")
    args = ap.parse_args(argv)
    from node.runner import setup_logging

    setup_logging(args.log_level)
    # Events are tiny and flushed one by one: a blocking write is cheaper than a thread hop.
    with open(args.log, "a") as fh:
        trio.run(run_rogue, args, EventLog(fh))
    return 0


if __name__ == "__main__":
    sys.exit(main())
