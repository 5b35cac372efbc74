"""Red-team findings (issue 10, wave 2): each test fails on the code before its fix."""

from __future__ import annotations

import itertools
import random

from node.net.topics import Validators, encode_block_announce
from node.net.verify import Inbound, Verdict
from protocol.block import Block, BlockLimits, build_block
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, SignedVote, Vote, VoteBatch, sign_vote

KEYS = [PrivateKey(bytes([i + 1]) * 32) for i in range(4)]
MODEL = cid_of(b"model")
G = Genesis(network_id="testnet", validators=ValidatorSet([k.peer_id for k in KEYS]), accepted_model_ids=(MODEL,))


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _block(key: PrivateKey, seq: int = 1) -> Block:
    recs = [Record.create("alert", key.peer_id, 1_700_000_000_000 + i, {"v": float(i)}) for i in range(3)]
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=None,
                       created_ms=1_700_000_000_000, model_id=MODEL, records=recs, scores=[0.5] * 3)


async def test_replayed_block_is_relayed_about_once_a_second_whoever_replays_it() -> None:
    """A keyless peer (or many sybil forwarders) replaying one honest, verified block with new
    ``attempt`` numbers: every accepted copy is forwarded by every node in the network. Before,
    each forwarder got its own 40-message burst relayed (20/s sustained), so 10 sybils made every
    node relay 400 copies of a 1 MiB block in one second; now the block itself is relayed as a
    replay at most ~1/s, and the forwarder still pays."""
    clock = Clock()
    val = Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=clock)
    good = _block(KEYS[2])
    assert await val.block(Inbound("honest", "honest", encode_block_announce(good, 0))) is Verdict.ACCEPT
    accepted = 0
    attempt = 1
    for sybil in range(10):
        for _ in range(40):
            v = await val.block(Inbound(f"sybil{sybil}", "x", encode_block_announce(good, attempt)))
            attempt += 1
            accepted += v is Verdict.ACCEPT
            assert v is not Verdict.REJECT  # a replay is not the forwarder's fault
    assert accepted <= 2, accepted
    # Time restores it: an honest re-announce 3 s later is relayed, and so is any new block.
    clock.t += 3.0
    assert await val.block(Inbound("honest", "honest", encode_block_announce(good, attempt))) is Verdict.ACCEPT
    assert await val.block(Inbound("sybil0", "x", encode_block_announce(_block(KEYS[2], seq=2), 0))) is Verdict.ACCEPT


async def test_recombined_verified_votes_are_not_relayed_at_the_forwarders_rate() -> None:
    """A keyless peer holding verified votes (it saw them on gossip) recombines them into ever
    new batches: new message ids, no new signature. Before, every such batch within the
    forwarder's 20/s (burst 40) was relayed by every node, from each sybil forwarder; now a
    batch of only verified votes is relayed only if at least half of it is news (not relayed
    in the last second)."""
    clock = Clock()
    val = Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=clock)
    blocks = [_block(KEYS[0], seq=s) for s in range(1, 9)]
    votes = [sign_vote(Vote(b.block_id, KEYS[0].peer_id, s, k.peer_id, Decision.ACCEPT, Reason.OK), k, G.id)
             for s, b in enumerate(blocks, start=1) for k in KEYS]
    assert await val.votes(Inbound("honest", "honest", VoteBatch(tuple(votes)).encode())) is Verdict.ACCEPT
    accepted = 0
    rng = random.Random(1)
    for sybil in range(10):
        for _ in range(40):
            subset = tuple(rng.sample(votes, rng.randint(1, len(votes))))
            v = await val.votes(Inbound(f"sybil{sybil}", "x", VoteBatch(subset).encode()))
            assert v is not Verdict.REJECT
            accepted += v is Verdict.ACCEPT
    assert accepted == 0, accepted
    # A second later the same votes may be relayed once more (lost gossip heals), once.
    clock.t += 1.5
    assert await val.votes(Inbound("honest", "honest", VoteBatch(tuple(votes[:4])).encode())) is Verdict.ACCEPT
    assert await val.votes(Inbound("sybil0", "x", VoteBatch(tuple(votes[:3])).encode())) is Verdict.IGNORE
    # A fresh vote is always news.
    other = sign_vote(Vote(blocks[0].block_id, KEYS[0].peer_id, 1, KEYS[1].peer_id, Decision.REJECT,
                           Reason.BAD_PAYLOAD), KEYS[1], G.id)
    assert await val.votes(Inbound("sybil0", "x", VoteBatch((other, *votes[:3])).encode())) is Verdict.ACCEPT


async def test_certificate_variants_of_one_slot_are_relayed_once() -> None:
    """Anyone holding a slot's votes can build a certificate from every q-subset (and certificates
    of every past slot): each valid, each a new message id, and the certificate topic had no
    rate limit at all, so every node relayed all of them. Now one certificate per slot is
    relayed per CERT_REPLAY_S; another slot's is unaffected."""
    clock = Clock()
    val = Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=clock)
    b1, b2 = _block(KEYS[0], seq=1), _block(KEYS[0], seq=2)

    def accept(b: Block, seq: int, k: PrivateKey) -> SignedVote:
        return sign_vote(Vote(b.block_id, KEYS[0].peer_id, seq, k.peer_id, Decision.ACCEPT, Reason.OK), k, G.id)

    votes1 = [accept(b1, 1, k) for k in KEYS]
    variants = [Certificate(b1.block_id, KEYS[0].peer_id, 1, tuple(c))
                for c in itertools.combinations(votes1, 3)]
    variants.append(Certificate(b1.block_id, KEYS[0].peer_id, 1, tuple(votes1)))
    verdicts = [await val.cert(Inbound(f"p{i}", "x", c.encode())) for i, c in enumerate(variants * 3)]
    assert Verdict.REJECT not in verdicts
    assert verdicts.count(Verdict.ACCEPT) == 1, verdicts
    other = Certificate(b2.block_id, KEYS[0].peer_id, 2, tuple(accept(b2, 2, k) for k in KEYS[:3]))
    assert await val.cert(Inbound("p0", "x", other.encode())) is Verdict.ACCEPT


async def test_iwant_for_one_message_many_times_is_served_bounded() -> None:
    """GossipSub IWANT: a keyless peer lists one cached message id thousands of times in one
    IWANT (about 100 bytes per repeat). libp2p 0.8.1 copies the message into the answer once
    per repeat (a 64 KiB block asked 4000 times is a 256 MiB packet, built on the event loop,
    10 IWANTs a second), and serves the same id to the same peer forever. Now ids are deduped,
    one answer holds at most max_message_bytes, and one id is served to one peer 3 times."""
    import time

    from libp2p.peer.id import ID
    from libp2p.pubsub.pb import rpc_pb2

    from node.net.budget import Budget
    from node.net.config import NetConfig
    from node.net.gossip import _Router
    from node.net.pulse import Pulse
    from node.net.stats import Meter

    config = NetConfig()
    router = _Router(meter=Meter(), pulse=Pulse(), config=config, budget=Budget(), clock=time.monotonic)
    sent: list[rpc_pb2.RPC] = []
    router.pubsub = object()  # type: ignore[assignment]  # attached (not a libp2p Pubsub: no envelope)
    router.send_rpc = lambda peer, rpc, priority=False: sent.append(rpc)  # type: ignore[method-assign]
    origin = KEYS[0].peer_id
    msgs = [rpc_pb2.Message(from_id=ID.from_base58(origin).to_bytes(), seqno=i.to_bytes(8, "big"),
                            data=bytes([i]) * (64 << 10), topicIDs=["t"]) for i in range(40)]
    for m in msgs:
        router.mcache.put(m)
    mid = (msgs[0].from_id + msgs[0].seqno).hex().encode()
    attacker = ID.from_base58(KEYS[3].peer_id)
    await router.handle_iwant(rpc_pb2.ControlIWant(messageIDs=[mid] * 4000), attacker)
    assert sum(len(p.publish) for p in sent) == 1
    for _ in range(5):
        await router.handle_iwant(rpc_pb2.ControlIWant(messageIDs=[mid]), attacker)
    assert sum(len(p.publish) for p in sent) == 3  # served 3 times in all, then no more
    # Many distinct ids: one answer stays within the RPC cap.
    sent.clear()
    ids = [(m.from_id + m.seqno).hex().encode() for m in msgs[1:]]
    await router.handle_iwant(rpc_pb2.ControlIWant(messageIDs=ids), attacker)
    assert sent
    assert all(sum(len(m.data) for m in p.publish) <= config.max_message_bytes for p in sent)
    assert sum(len(p.publish) for p in sent) <= config.max_message_bytes // (64 << 10)


async def test_iwant_from_sybil_ids_shares_the_strangers_count() -> None:
    """Review 7: an id was served 3 times *per peer id*, so N fresh ids got it 3N times. Now
    strangers together get it stranger_pool (2) peers' worth (6 times); known peers keep 3."""
    import time

    from libp2p.peer.id import ID
    from libp2p.pubsub.pb import rpc_pb2

    from node.net.budget import Budget
    from node.net.config import NetConfig
    from node.net.gossip import _Router
    from node.net.pulse import Pulse
    from node.net.stats import Meter

    budget = Budget()
    budget.add_known([KEYS[1].peer_id])
    router = _Router(meter=Meter(), pulse=Pulse(), config=NetConfig(), budget=budget, clock=time.monotonic)
    sent: list[rpc_pb2.RPC] = []
    router.pubsub = object()  # type: ignore[assignment]  # attached (not a libp2p Pubsub: no envelope)
    router.send_rpc = lambda peer, rpc, priority=False: sent.append(rpc)  # type: ignore[method-assign]
    msg = rpc_pb2.Message(from_id=ID.from_base58(KEYS[0].peer_id).to_bytes(), seqno=b"\0" * 8,
                          data=b"x" * (64 << 10), topicIDs=["t"])
    router.mcache.put(msg)
    mid = (msg.from_id + msg.seqno).hex().encode()
    for i in range(20):  # 20 fresh ids, each asking 5 times
        sybil = ID.from_base58(PrivateKey(bytes([0x60 + i]) * 32).peer_id)
        for _ in range(5):
            await router.handle_iwant(rpc_pb2.ControlIWant(messageIDs=[mid]), sybil)
    assert sum(len(p.publish) for p in sent) == 6  # 2faf772: 60 (3 per id)
    sent.clear()
    for _ in range(5):
        await router.handle_iwant(rpc_pb2.ControlIWant(messageIDs=[mid]), ID.from_base58(KEYS[1].peer_id))
    assert sum(len(p.publish) for p in sent) == 3  # a known peer's count is its own


async def test_prune_for_topics_we_do_not_have_is_ignored() -> None:
    """GossipSub PRUNE: control messages are not charged to any budget, and libp2p 0.8.1 keeps a
    back-off entry for every (topic, peer) a PRUNE names, whatever the topic, until that exact
    pair is checked again; with a huge ``backoff`` it never expires. A keyless peer naming a new
    random topic in each of ~20 000 PRUNEs per MiB grew the node's memory without bound. Now a
    PRUNE for a topic outside our mesh is ignored (as go-libp2p does)."""
    import time

    from libp2p.peer.id import ID
    from libp2p.pubsub.pb import rpc_pb2

    from node.net.budget import Budget
    from node.net.config import NetConfig
    from node.net.gossip import _Router
    from node.net.pulse import Pulse
    from node.net.stats import Meter

    router = _Router(meter=Meter(), pulse=Pulse(), config=NetConfig(), budget=Budget(), clock=time.monotonic)
    attacker = ID.from_base58(KEYS[3].peer_id)
    router.mesh["ours"] = {attacker}
    for i in range(5000):
        await router.handle_prune(rpc_pb2.ControlPrune(topicID=f"junk-{i}", backoff=1 << 40), attacker)
    assert sum(len(v) for v in router.back_off.values()) == 0
    assert len(router.graft_flood_tracking.get(attacker, {})) == 0
    # A PRUNE for a topic we do have still takes the peer out of that mesh.
    await router.handle_prune(rpc_pb2.ControlPrune(topicID="ours", backoff=60), attacker)
    assert attacker not in router.mesh["ours"]
    assert attacker in router.back_off["ours"]


def test_sync_serving_is_charged_by_answer_bytes_not_only_by_requests() -> None:
    """A GetBlocks request is ~100 bytes; its answer is up to 16 MiB read from the store. The
    gate counted requests only (20/s, burst 40): one peer sending requests and resetting each
    stream had the store read 640 MiB in one second. Now answers spend a per-peer byte bucket
    (8 MiB/s, 32 MiB burst); a peer in debt is answered busy until it is paid off."""
    from protocol.catchup import SyncParams
    from protocol.sync import MAX_RESPONSE_BYTES, ServeGate

    gate = ServeGate(SyncParams())
    served = 0
    for _ in range(40):
        if gate.admit("greedy", 0):
            gate.release("greedy", MAX_RESPONSE_BYTES)
            served += MAX_RESPONSE_BYTES
    assert served <= 2 * MAX_RESPONSE_BYTES
    assert gate.admit("other", 0)  # per peer
    # Small answers (an honest catch-up of small blocks) are not slowed down. (On a gate of its own:
    # strangers asking at the same time share the strangers' pool fairly, review 37.)
    solo = ServeGate(SyncParams())
    small = sum(1 for _ in range(40) if solo.admit("honest", 0) and solo.release("honest", 4096) is None)
    assert small == 40
    # Debt is paid off with time, at 8 MiB/s.
    assert gate.admit("greedy", 1000)
    gate.release("greedy", MAX_RESPONSE_BYTES)  # 8 MiB refilled, 16 MiB spent: 8 MiB in debt
    assert not gate.admit("greedy", 1500)
    assert gate.admit("greedy", 2100)


def test_unserved_future_headers_do_not_hold_the_fetch_slots() -> None:
    """A byzantine proposer announces header-only blocks for its whole window (64 seqs, two
    variants each) and never serves their payloads: every one was fetched at once, each fetch
    waiting out the request timeout on the proposer, so all ``max_fetches`` slots stayed busy
    and an honest proposer's big (header-only) block queued behind them for minutes. Now a
    header-only block is fetched only when it is its proposer's next slot."""
    from protocol.slots import BlockSeen, Fetch, SlotCore

    byz, honest, me = KEYS[3], KEYS[1], KEYS[0]
    core = SlotCore(G, me.peer_id)
    fetches: list[Fetch] = []
    for seq in range(1, 65):
        for variant in range(2):
            b = _variant(byz, seq, variant)
            fetches += [e for e in core.handle(BlockSeen(b.header_only(), byz.peer_id), 0) if isinstance(e, Fetch)]
    assert len(fetches) <= 2  # only its next slot's variants
    h = _block(honest)
    out = core.handle(BlockSeen(h.header_only(), honest.peer_id), 1)
    assert [e.block_id for e in out if isinstance(e, Fetch)] == [h.block_id]


def _variant(key: PrivateKey, seq: int, variant: int) -> Block:
    recs = [Record.create("alert", key.peer_id, 1_700_000_000_000 + 10 * variant + i, {"v": float(i)})
            for i in range(3)]
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=None,
                       created_ms=1_700_000_000_000, model_id=MODEL, records=recs, scores=[0.5] * 3)


def test_header_only_block_is_fetched_from_its_proposer_first() -> None:
    """A keyless peer replays an honest proposer's header-only announce (a big block) faster than
    the mesh delivers it: the fetch hint was the replayer, which never answers, so every node
    waited a whole request timeout before asking anyone else. The proposer holds its payload."""
    from protocol.slots import BlockSeen, Fetch, SlotCore

    honest, me = KEYS[1], KEYS[0]
    core = SlotCore(G, me.peer_id)
    h = _block(honest)
    out = core.handle(BlockSeen(h.header_only(), "replayer"), 0)
    assert [(e.block_id, e.hint) for e in out if isinstance(e, Fetch)] == [(h.block_id, honest.peer_id)]


async def test_a_vote_flood_cannot_turn_replays_of_honest_blocks_into_fresh_ones() -> None:
    """Blocks and votes shared one verified-signature cache. A byzantine voter's fresh votes
    pushed an honest header out; the next replay of that header verified as *fresh* and was
    charged to the honest proposer, so a replayer drained the proposer's block bucket and its
    real next block was ignored everywhere (censorship)."""
    from node.net.topics import VerifiedCache

    clock = Clock()
    val = Validators(G.network_id, G.validators, BlockLimits(), genesis_id=G.id, clock=clock)
    val.verified = VerifiedCache(size=8)  # what 16384 fresh votes do to the real one
    honest, byz = KEYS[1], KEYS[3]
    old = _block(honest, seq=1)
    assert await val.block(Inbound("p", "p", encode_block_announce(old, 0))) is Verdict.ACCEPT
    for attempt in range(1, 45):  # evict, replay, evict, replay...
        flood = VoteBatch(tuple(
            sign_vote(Vote(old.block_id, KEYS[0].peer_id, s, byz.peer_id, Decision.ACCEPT, Reason.OK), byz, G.id)
            for s in range(attempt * 10, attempt * 10 + 9)))
        assert await val.votes(Inbound("byz", "byz", flood.encode())) is Verdict.ACCEPT
        await val.block(Inbound(f"replayer{attempt % 4}", "x", encode_block_announce(old, attempt)))
    assert await val.block(Inbound("p", "p", encode_block_announce(_block(honest, seq=2), 0))) is Verdict.ACCEPT


def _second_signature(seed: bytes, message: bytes, nonce: int) -> bytes:
    """Another valid Ed25519 signature over ``message`` (RFC 8032 with a chosen nonce): what a
    byzantine signer can always make; cryptography verifies any of them."""
    import hashlib

    q = 2**255 - 19
    order = 2**252 + 27742317777372353535851937790883648493
    d = -121665 * pow(121666, q - 2, q) % q
    gy = 4 * pow(5, q - 2, q) % q
    gx = _recover_x(gy, q, d)
    base = (gx, gy, 1, gx * gy % q)

    def add(p1: tuple[int, int, int, int], p2: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        a = (p1[1] - p1[0]) * (p2[1] - p2[0]) % q
        b = (p1[1] + p1[0]) * (p2[1] + p2[0]) % q
        c = 2 * p1[3] * p2[3] * d % q
        dd = 2 * p1[2] * p2[2] % q
        e, f, g, h = b - a, dd - c, dd + c, b + a
        return (e * f % q, g * h % q, f * g % q, e * h % q)

    def mul(s: int, p: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        acc = (0, 1, 1, 0)
        while s:
            if s & 1:
                acc = add(acc, p)
            p, s = add(p, p), s >> 1
        return acc

    def encode(p: tuple[int, int, int, int]) -> bytes:
        zi = pow(p[2], q - 2, q)
        x, y = p[0] * zi % q, p[1] * zi % q
        return (y | ((x & 1) << 255)).to_bytes(32, "little")

    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    pub = encode(mul(a, base))
    r = nonce % order
    big_r = encode(mul(r, base))
    k = int.from_bytes(hashlib.sha512(big_r + pub + message).digest(), "little") % order
    return big_r + ((r + k * a) % order).to_bytes(32, "little")


def _recover_x(y: int, q: int, d: int) -> int:
    xx = (y * y - 1) * pow(d * y * y + 1, q - 2, q) % q
    x = pow(xx, (q + 3) // 8, q)
    if (x * x - xx) % q:
        x = x * pow(2, (q - 1) // 4, q) % q
    return q - x if x & 1 else x


def test_a_second_signature_over_one_header_does_not_stop_the_store(tmp_path) -> None:  # noqa: ANN001
    """The block id covers the header, not its signature, and a byzantine proposer can sign one
    header many ways. The store raised LocalError for a known block id with other signed bytes;
    the consensus task lets only StoreError through, so a header-only announce (signature 1)
    followed by the full block (signature 2) stopped the consensus task of every node."""
    from node.store import Store
    from protocol.block import SignedHeader
    from protocol.keys import DOMAIN_BLOCK, signing_domain

    byz = KEYS[3]
    b = _block(byz)
    msg = signing_domain(DOMAIN_BLOCK, G.id) + b.header.canonical_bytes()
    other = SignedHeader(b.header, _second_signature(bytes([4]) * 32, msg, nonce=12345))
    other.verify(G.id)  # a valid signature...
    assert other.signature != b.signed.signature  # ...and another one
    assert Block(other, b.payload).block_id == b.block_id
    store = Store.open(tmp_path / "db")
    try:
        h = b.header
        assert store.put_block(b.block_id, h.proposer, h.seq, b.signed.encode(), None, h.created_ms,
                               h.record_count, 1)
        assert not store.put_block(b.block_id, h.proposer, h.seq, other.encode(), b.payload, h.created_ms,
                                   h.record_count, 2)
        assert store.get_block(b.block_id).payload == b.payload  # the payload is filled in
    finally:
        store.close()
