"""The per-peer budget, the verifier, and the topic validators' order of checks (findings 1, 2, 4, 14)."""

from __future__ import annotations

import time

import pytest
import trio

from node.net.budget import Budget, BudgetParams
from node.net.topics import VOTE_BURST, Validators, VerifiedCache, encode_block_announce
from node.net.verify import Inbound, OverBudget, Verdict, Verifier
from protocol.block import Block, BlockLimits, SignedHeader, build_block
from protocol.cid import cid_of
from protocol.codec import packb
from protocol.errors import ConfigError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import MAX_BATCH_VOTES, Decision, Reason, Vote, VoteBatch, sign_vote

KEYS = [PrivateKey(bytes([i + 1]) * 32) for i in range(4)]
OUTSIDER = PrivateKey(b"\x55" * 32)
PEER, OTHER = "peerA", "peerB"


MODEL = cid_of(b"model")


def genesis() -> Genesis:
    return Genesis(network_id="testnet", validators=ValidatorSet([k.peer_id for k in KEYS]),
                   accepted_model_ids=(MODEL,))


G = genesis()


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def block(key: PrivateKey, seq: int = 1, created: int = 1_700_000_000_000) -> Block:
    recs = [Record.create("alert", key.peer_id, created + i, {"v": float(i)}) for i in range(3)]
    return build_block(key, genesis_id=G.id, network=G.network_id, seq=seq, prev=None,
                       created_ms=created, model_id=MODEL, records=recs, scores=[0.5] * 3)


def _limits() -> BlockLimits:
    return BlockLimits()


async def certify(val: Validators, key: PrivateKey, seq: int) -> None:
    """A verified certificate of ``key``'s slot ``seq``: what moves a proposer's stale mark (a
    block's own signature moves it at most STALE_SLOTS above it; review 37, finding A)."""
    b = block(key, seq=seq, created=1_650_000_000_000 + seq)
    votes = tuple(vote(k, b, seq) for k in KEYS if k is not key)[:G.validators.q]
    assert await val.cert(msg(Certificate(b.block_id, key.peer_id, seq, votes).encode(), "certifier")) is Verdict.ACCEPT
    val.verified = VerifiedCache()  # callers count the signatures they cause; these are not theirs


def validators(clock: Clock | None = None) -> Validators:
    return Validators(G.network_id, G.validators, _limits(), genesis_id=G.id, clock=clock or Clock())


def msg(data: bytes, forwarder: str = PEER) -> Inbound:
    return Inbound(forwarder, forwarder, data)


def vote(key: PrivateKey, b: Block, seq: int = 1):
    v = Vote(b.block_id, b.signed.header.proposer, seq, key.peer_id, Decision.ACCEPT, Reason.OK)
    return sign_vote(v, key, G.id)


# ---------------------------------------------------------------------- budget
def test_params_validate() -> None:
    BudgetParams().validate()
    with pytest.raises(ConfigError):
        BudgetParams(msg_rate=0).validate()
    with pytest.raises(ConfigError):
        BudgetParams(disconnect_below=-10.0, publish_threshold=-50.0).validate()


def test_message_and_byte_buckets_refill_without_blame() -> None:
    b = Budget(BudgetParams(msg_rate=10, msg_burst=5, byte_rate=1000, byte_burst=2000))
    assert [b.admit_message(PEER, 100, 0.0) for _ in range(6)] == [True] * 5 + [False]
    assert b.view(PEER, 0.0).over_budget == 1
    assert b.admit_message(OTHER, 100, 0.0)  # per peer
    assert b.admit_message(PEER, 100, 0.1)  # one token back after 0.1 s
    assert not b.admit_message(OTHER, 5000, 0.0)  # over the byte burst
    # An honest relay of someone else's valid flood goes over budget too: dropped, not blamed.
    for _ in range(1000):
        b.admit_message(PEER, 100, 0.1)
    assert b.standing(PEER, 0.1) == 0.0
    assert b.due_bans(0.1) == []


def test_a_peer_that_keeps_sending_while_graylisted_sinks_to_a_ban() -> None:
    p = BudgetParams()
    b = Budget(p)
    for _ in range(6):
        b.reject(PEER, 0.0)  # -60: below publish_threshold
    assert not b.admit_message(PEER, 1, 0.0)
    for _ in range(50):
        b.admit_message(PEER, 1, 0.0)
    assert b.standing(PEER, 0.0) <= p.disconnect_below
    assert b.due_bans(0.0) == [PEER]


def test_standing_recovers_and_a_ban_is_due_once() -> None:
    p = BudgetParams(penalty_invalid=30.0, disconnect_below=-100.0, ban_s=10.0, recovery_per_s=1.0)
    b = Budget(p)
    for _ in range(3):
        b.reject(PEER, 0.0)
    assert b.standing(PEER, 0.0) == -90.0
    assert b.standing(PEER, 10.0) == -80.0  # linear recovery
    assert not b.admit_message(PEER, 1, 10.0)  # below publish_threshold: dropped unread
    assert b.due_bans(10.0) == []
    b.reject(PEER, 10.0)
    b.reject(PEER, 10.0)
    assert b.due_bans(10.0) == [PEER]
    assert b.due_bans(10.0) == []  # carried out once
    assert b.is_banned(PEER, 15.0)
    assert not b.open_request(PEER, 15.0)
    assert b.due_unbans(19.9) == []
    assert b.due_unbans(20.0) == [PEER]
    assert b.standing(PEER, 20.0) == p.disconnect_below / 2  # a repeat offender falls fast
    assert not b.is_banned(PEER, 20.0)


def test_open_requests_per_peer() -> None:
    b = Budget(BudgetParams(max_open_requests=2))
    assert b.open_request(PEER, 0)
    assert b.open_request(PEER, 0)
    assert not b.open_request(PEER, 0)
    assert b.open_request(OTHER, 0)  # one peer's limit is its own
    b.close_request(PEER)
    assert b.open_request(PEER, 0)
    assert b.view(PEER, 0).open_requests == 2


def test_ledgers_and_bans_are_bounded() -> None:
    b = Budget(BudgetParams(max_peers=8, max_bans=4, penalty_invalid=200.0))
    for i in range(100):
        b.admit_message(f"p{i}", 1, 0.0)
    assert b.tracked() == 8
    for i in range(10):
        b.reject(f"bad{i}", float(i))
        b.due_bans(float(i))
    assert sum(b.is_banned(f"bad{i}", 10.0) for i in range(10)) == 4
    assert all(b.is_banned(f"bad{i}", 10.0) for i in range(6, 10))  # the latest bans are kept


def test_a_crowd_of_fresh_peers_cannot_launder_a_bad_standing() -> None:
    b = Budget(BudgetParams(max_peers=4))
    b.reject(PEER, 0.0)
    for i in range(100):
        b.admit_message(f"sybil{i}", 1, 0.0)
    assert b.standing(PEER, 0.0) == -10.0
    assert b.tracked() == 4


def test_a_peer_with_open_requests_keeps_its_ledger() -> None:
    b = Budget(BudgetParams(max_peers=2, max_open_requests=1))
    assert b.open_request(PEER, 0)
    b.admit_message("x", 1, 0)
    b.admit_message("y", 1, 0)  # evicts x, not PEER
    assert not b.open_request(PEER, 0)  # still counted: its slot is taken


# -------------------------------------------------------------------- verifier
async def test_verifier_charges_cpu_to_the_sender_and_refuses_when_spent() -> None:
    clock = Clock()
    b = Budget(BudgetParams(cpu_rate=0.001, cpu_burst=0.005))
    b.add_known([PEER, OTHER])  # budgets of their own (strangers share a pool: see below)
    v = Verifier(b, clock=clock)

    def burn() -> int:
        x = 0
        for i in range(300_000):
            x += i
        return x

    assert await v.run(PEER, burn) > 0
    assert b.view(PEER, 0).cpu_ms > 1.0
    with pytest.raises(OverBudget):  # the bucket went negative
        await v.run(PEER, burn)
    assert await v.run(OTHER, lambda: 7) == 7  # another peer is unaffected


async def test_verifier_failed_work_is_charged_and_reraised() -> None:
    b = Budget()
    v = Verifier(b)

    def bad() -> None:
        raise ValueError("nope")

    with pytest.raises(ValueError, match="nope"):
        await v.run(PEER, bad)
    assert v.statistics()[0] == 1


async def test_verifier_bounds_queued_work_per_peer() -> None:
    b = Budget(BudgetParams(max_inflight_verifications=1, max_queued_verifications=2))
    v = Verifier(b)
    release = trio.Event()
    started = trio.Event()
    token = trio.lowlevel.current_trio_token()

    def wait() -> None:
        trio.from_thread.run_sync(started.set, trio_token=token)
        trio.from_thread.run(release.wait, trio_token=token)

    async with trio.open_nursery() as n:
        n.start_soon(v.run, PEER, wait)
        await started.wait()
        n.start_soon(v.run, PEER, lambda: None)  # queued behind the first
        await trio.testing.wait_all_tasks_blocked()
        with pytest.raises(OverBudget):
            await v.run(PEER, lambda: None)
        assert v.budget.view(OTHER, 0).over_budget == 0
        release.set()
    assert v.statistics()[2] == 0  # nothing left behind


# ------------------------------------------------------------------ validators
async def test_forged_headers_naming_v_do_not_spend_vs_tokens() -> None:
    """Finding 2: the proposer's bucket is spent only after its signature verified."""
    clock = Clock()
    val = validators(clock)
    v_key = KEYS[1]
    for seq in range(1, 200):
        good = block(v_key, seq=seq)
        forged = Block(SignedHeader(good.signed.header, bytes(64)), good.payload)
        assert await val.block(msg(encode_block_announce(forged, 0), "attacker")) is Verdict.REJECT
    # V's genuine blocks still pass: its bucket is untouched.
    verdicts = [await val.block(msg(encode_block_announce(block(v_key, seq=s), 0)))
                for s in range(1, 11)]
    assert verdicts == [Verdict.ACCEPT] * 10


async def test_replayed_announces_are_charged_to_the_forwarder() -> None:
    clock = Clock()
    val = validators(clock)
    good = block(KEYS[2])
    assert await val.block(msg(encode_block_announce(good, 0), "attacker")) is Verdict.ACCEPT
    # The same signed header with new attempts: the replayer's bucket runs dry, not the proposer's.
    verdicts = [await val.block(msg(encode_block_announce(good, a), "attacker")) for a in range(1, 80)]
    assert Verdict.IGNORE in verdicts
    assert await val.block(msg(encode_block_announce(block(KEYS[2], seq=2), 0))) is Verdict.ACCEPT
    clock.t += 3.0  # one block is relayed as a replay ~1/s whoever sends it (topics.BLOCK_REPLAY_RATE)
    assert await val.block(msg(encode_block_announce(good, 500), "honest")) is Verdict.ACCEPT


async def test_block_from_outsider_or_other_network_is_rejected() -> None:
    val = validators()
    outsider = build_block(OUTSIDER, genesis_id=G.id, network=G.network_id, seq=1, prev=None,
                           created_ms=1, model_id=MODEL,
                           records=[Record.create("a", OUTSIDER.peer_id, 1, {"v": 1.0})], scores=[0.5])
    assert await val.block(msg(encode_block_announce(outsider, 0))) is Verdict.REJECT
    assert await val.block(msg(b"\xc1garbage")) is Verdict.REJECT


async def test_vote_batches_membership_duplicates_and_cache() -> None:
    val = validators()
    b = block(KEYS[0])
    votes = tuple(vote(k, b) for k in KEYS)
    assert await val.votes(msg(VoteBatch(votes).encode())) is Verdict.ACCEPT
    assert len(val.verified) >= 4
    # Finding 4: one genuine vote repeated is malformed.
    raw = packb([[sv.vote.canonical_bytes(), sv.signature] for sv in (votes[0], votes[0])])
    assert await val.votes(msg(raw)) is Verdict.REJECT
    # A vote from a non-validator: rejected before any signature is checked.
    bad = sign_vote(Vote(b.block_id, KEYS[0].peer_id, 1, OUTSIDER.peer_id, Decision.ACCEPT, Reason.OK),
                    OUTSIDER, G.id)
    assert await val.votes(msg(VoteBatch((votes[1], bad)).encode())) is Verdict.REJECT
    # A bad signature from a member.
    forged = type(votes[1])(votes[1].vote, bytes(64))
    assert await val.votes(msg(VoteBatch((forged,)).encode())) is Verdict.REJECT


async def test_certificates_are_verified_before_forwarding() -> None:
    """Finding 1: a certificate of junk votes is not forwarded."""
    val = validators()
    b = block(KEYS[0])
    votes = tuple(vote(k, b) for k in KEYS[:3])
    good = Certificate(b.block_id, KEYS[0].peer_id, 1, votes)
    assert await val.cert(msg(good.encode())) is Verdict.ACCEPT
    junk = Certificate(b.block_id, KEYS[0].peer_id, 1,
                       tuple(type(sv)(sv.vote, bytes(64)) for sv in votes))
    assert await val.cert(msg(junk.encode())) is Verdict.REJECT


async def test_validators_run_on_the_verifier_and_charge_the_forwarder() -> None:
    budget = Budget()
    val = Validators(G.network_id, G.validators, _limits(), genesis_id=G.id,
                     verifier=Verifier(budget))
    assert await val.block(msg(encode_block_announce(block(KEYS[3]), 0), "fw")) is Verdict.ACCEPT
    assert budget.view("fw", 0).cpu_ms > 0
    assert budget.view(KEYS[3].peer_id, 0).cpu_ms == 0  # never the named proposer


async def test_a_valid_vote_flood_is_limited_per_verified_voter_not_per_forwarder() -> None:
    """A byzantine validator's *valid* flood stops at the first honest node (not relayed)."""
    clock = Clock()
    val = validators(clock)
    flooder = KEYS[3]
    b = block(KEYS[0])
    n = MAX_BATCH_VOTES
    verdicts = []
    for i in range(int(VOTE_BURST) // n + 1):  # one batch more than the voter's burst
        batch = VoteBatch(tuple(
            sign_vote(Vote(b.block_id, KEYS[0].peer_id, s, flooder.peer_id, Decision.ACCEPT, Reason.OK),
                      flooder, G.id) for s in range(1 + i * n, 1 + (i + 1) * n)))
        verdicts.append(await val.votes(msg(batch.encode(), "relay")))
    assert verdicts[:-1] == [Verdict.ACCEPT] * (len(verdicts) - 1)
    assert verdicts[-1] is Verdict.IGNORE
    # Another voter is unaffected, and so is the relaying peer's own standing.
    assert await val.votes(msg(VoteBatch((vote(KEYS[1], block(KEYS[0])),)).encode(), "relay")) is Verdict.ACCEPT


async def test_replayed_votes_are_charged_to_the_forwarder() -> None:
    clock = Clock()
    val = validators(clock)
    b = block(KEYS[0])
    votes = [vote(k, b) for k in KEYS]
    assert await val.votes(msg(VoteBatch(tuple(votes)).encode())) is Verdict.ACCEPT
    # Recombinations of votes already verified: new message ids, no new signature.
    replays = [VoteBatch((votes[i % 4], votes[(i + 1) % 4])).encode() for i in range(4)]
    replays += [VoteBatch((votes[i % 4],)).encode() for i in range(4)]
    verdicts = [await val.votes(msg(r, "replayer")) for r in replays * 10]
    assert Verdict.IGNORE in verdicts
    clock.t += 1.0  # votes relayed in the last second are not news (topics.VOTE_REPLAY_S)
    assert await val.votes(msg(replays[0], "someone-else")) is Verdict.ACCEPT


async def test_verification_runs_off_the_event_loop() -> None:
    """Finding 1: a message costing 0.3 s of CPU must not stall the loop for 0.3 s."""
    v = Verifier(Budget(BudgetParams(cpu_burst=10.0)))
    lags: list[float] = []

    def heavy() -> int:
        end = time.thread_time() + 0.3
        n = 0
        while time.thread_time() < end:
            n += 1
        return n

    async def ticker(done: trio.Event) -> None:
        while not done.is_set():
            start = time.perf_counter()
            await trio.sleep(0.005)
            lags.append(time.perf_counter() - start)

    done = trio.Event()
    async with trio.open_nursery() as n:
        n.start_soon(ticker, done)
        assert await v.run(PEER, heavy) > 0
        done.set()
    assert len(lags) >= 10  # the loop kept running while the thread worked
    assert max(lags) < 0.2


async def test_our_own_work_is_never_refused_or_charged() -> None:
    b = Budget(BudgetParams(cpu_rate=0.001, cpu_burst=0.001))
    v = Verifier(b, exempt=frozenset({"me"}), clock=lambda: 0.0)
    b.charge_cpu("me", 100.0, 0.0)  # even a spent bucket does not matter
    assert await v.run("me", lambda: 1) == 1
    b.charge_cpu(PEER, 100.0, 0.0)
    with pytest.raises(OverBudget):
        await v.run(PEER, lambda: 1)


async def test_our_own_resent_votes_pass_our_own_validator() -> None:
    """A validator re-sends its stored votes when a proposer re-announces a slot it decided (how a
    proposer that missed the decision learns it). Our own validator took such a batch, sent within
    VOTE_REPLAY_S of the first, for a replay that is not news, and the publish failed ("our own
    validator rejects the data"): the proposer waited for the next re-announce. Whether the batch is
    news is each receiver's call (the proposer that missed the votes takes them as fresh); ours is
    only that it is well formed and signed."""
    clock = Clock()
    val = Validators(G.network_id, G.validators, _limits(), genesis_id=G.id, clock=clock,
                     verifier=Verifier(Budget(), exempt=frozenset({"me"})))
    b = block(KEYS[0])
    votes = tuple(vote(k, b) for k in KEYS[1:])
    assert await val.votes(msg(VoteBatch(votes).encode(), "me")) is Verdict.ACCEPT
    verdicts = [await val.votes(msg(VoteBatch(votes, resend=i).encode(), "me")) for i in range(1, 60)]
    assert verdicts == [Verdict.ACCEPT] * 59  # past REANNOUNCE_BURST too: our own sends are ours
    # Anyone else re-sending them within the second is still no news, and pays.
    assert await val.votes(msg(VoteBatch(votes, resend=1).encode(), "relay")) is Verdict.IGNORE
    # A malformed batch of our own is still refused.
    assert await val.votes(msg(b"\x00junk", "me")) is Verdict.REJECT


async def test_our_own_reannounces_and_certificates_pass_our_own_validator() -> None:
    """The same for blocks and certificates: a proposer re-announcing its undecided slots (up to 64 at
    once) went past the proposer's block burst (40: after a restart they are fresh to its validator)
    or the forwarder's re-announce burst (40) in its own validator, and a certificate of ours after
    another peer's for the slot was not news. A stranger's replays still pay."""
    clock = Clock()
    val = Validators(G.network_id, G.validators, _limits(), genesis_id=G.id, clock=clock,
                     verifier=Verifier(Budget(), exempt=frozenset({"me"})))
    blocks = [block(KEYS[0], seq=s) for s in range(1, 65)]
    for b in blocks:
        assert await val.block(msg(encode_block_announce(b, 0), "me")) is Verdict.ACCEPT
    again = [await val.block(msg(encode_block_announce(b, 1), "me")) for b in blocks]
    assert again == [Verdict.ACCEPT] * 64
    replays = [await val.block(msg(encode_block_announce(b, 2), "stranger")) for b in blocks]
    assert Verdict.IGNORE in replays
    b = blocks[0]
    cert = Certificate(b.block_id, KEYS[0].peer_id, 1, tuple(vote(k, b) for k in KEYS[1:])).encode()
    assert await val.cert(msg(cert, "relay")) is Verdict.ACCEPT
    assert await val.cert(msg(cert, "other")) is Verdict.IGNORE  # relayed under 5 s ago
    assert await val.cert(msg(cert, "me")) is Verdict.ACCEPT


def test_strangers_share_their_request_slots_fairly() -> None:
    """Review 37, finding 2: two stranger ids each kept 4 streams open that never sent their
    request, so they held all 8 of the slots strangers share, and every other stranger (an observer
    catching up) was answered busy. A stranger that asked lately now counts in the share: once the
    held streams time out, the two get 8 // 3 = 2 slots each and the observer the rest."""
    b = Budget()
    now = 0.0
    assert b.pool_open_requests == 8
    for attacker in ("x", "y"):
        assert [b.open_request(attacker, now) for _ in range(4)] == [True] * 4
    assert not b.open_request("observer", now)  # the pool is full: refused, but it asked
    for attacker in ("x", "y"):  # their streams time out (request_read_timeout_s) and they reopen
        for _ in range(4):
            b.close_request(attacker)
    now = 5.0
    # The share binds once half the slots are taken: x gets 4 (the pool was empty), y 2, and 2 are
    # left for the observer.
    assert [b.open_request("x", now) for _ in range(4)] == [True] * 4
    assert [b.open_request("y", now) for _ in range(4)] == [True, True, False, False]
    assert [b.open_request("observer", now) for _ in range(3)] == [True, True, False]
    assert b.standing("x", now) == b.standing("observer", now)  # a refusal is no blame
    # Ten seconds after it last asked, the observer no longer counts: the two get 4 again.
    for peer in ("x", "x", "x", "x", "y", "y", "observer", "observer"):
        b.close_request(peer)
    for attacker in ("x", "y"):
        assert [b.open_request(attacker, 16.0) for _ in range(4)] == [True] * 4


async def test_a_proposer_signing_far_ahead_does_not_make_its_current_votes_stale() -> None:
    """Review 37, finding A: the stale mark moved to any seq a proposer signed, so byzantine Q signing
    one header 64 slots ahead (its consensus refuses it: beyond the window) made every vote of Q's
    current slots "stale", and an honest batch [ACCEPT P/5, REJECT Q/5] was dropped unverified: the
    honest ACCEPT for P never arrived. A proposer's own signature now moves the mark at most 64
    above its highest certified seq."""
    val = validators()
    q, p = KEYS[0], KEYS[1]
    for seq in range(1, 5):  # Q's slots 1-4 certified
        b = block(q, seq=seq)
        votes = tuple(vote(k, b, seq) for k in KEYS[1:])
        assert await val.cert(msg(Certificate(b.block_id, q.peer_id, seq, votes).encode())) is Verdict.ACCEPT
    assert await val.block(msg(encode_block_announce(block(q, seq=69), 0))) is Verdict.ACCEPT  # the poison
    honest_p, junk_q = block(p, seq=5), block(q, seq=5, created=1_700_000_000_999)
    rejecting = sign_vote(Vote(junk_q.block_id, q.peer_id, 5, KEYS[2].peer_id, Decision.REJECT, Reason.LOW_IMPORTANCE),
                          KEYS[2], G.id)
    batch = VoteBatch((vote(KEYS[2], honest_p, 5), rejecting)).encode()
    assert await val.votes(msg(batch, "v2")) is Verdict.ACCEPT
    # A slot 64 below a *certified* seq is still stale, as review 6 wants.
    for seq in (70, 71):
        b = block(q, seq=seq)
        votes = tuple(vote(k, b, seq) for k in KEYS[1:])
        await val.cert(msg(Certificate(b.block_id, q.peer_id, seq, votes).encode()))
    old = VoteBatch((vote(KEYS[3], block(q, seq=6), 6),)).encode()
    assert await val.votes(msg(old, "replayer")) is Verdict.IGNORE
    assert val.stale >= 1


async def test_replays_a_validator_relays_do_not_spend_its_own_reannounce_budget() -> None:
    """Review 37, finding C: a stranger sent honest validator R genuine votes of open slots in
    one-vote batches (a new re-send counter each), R relayed them, and its peer N charged each to
    R, the forwarder: R's own block re-announces and vote re-sends were then ignored at N (3 of 4
    of each). Replays are charged to the peer that published them (gossip signs the origin)."""
    clock = Clock()
    val = validators(clock)
    r = KEYS[1]
    blocks = [block(KEYS[0], seq=s) for s in range(1, 41)]
    votes = [vote(k, b) for b in blocks for k in (KEYS[2], KEYS[3])]
    for sv in votes:  # N has verified them all already (they came by gossip)
        assert await val.votes(Inbound("v", "v", VoteBatch((sv,)).encode())) is not Verdict.REJECT
    clock.t += 2.0
    mine = block(r, seq=1)
    assert await val.block(Inbound(r.peer_id, r.peer_id, encode_block_announce(mine, 0))) is Verdict.ACCEPT
    relayed = [await val.votes(Inbound(r.peer_id, "stranger", VoteBatch((sv,), resend=i % 9 + 1).encode()))
               for i, sv in enumerate(votes)]
    assert Verdict.IGNORE in relayed  # the stranger's replays run out of budget at N ...
    again = await val.block(Inbound(r.peer_id, r.peer_id, encode_block_announce(mine, 1)))
    assert again is Verdict.ACCEPT  # ... and R's own re-announce is still relayed
    resent = await val.votes(Inbound(r.peer_id, r.peer_id, VoteBatch((vote(r, blocks[0]),)).encode()))
    assert resent is Verdict.ACCEPT  # and its own vote (fresh here)


async def test_a_quorum_of_rejects_decides_a_slot_for_the_stale_mark() -> None:
    """A proposer whose slots are all rejected gets no certificates; REJECTs of q validators decide a
    slot as surely (no quorum of ACCEPTs is left for any variant), so they move its stale mark like
    a certificate, and a header it signs far ahead moves it at most 64 - 17 beyond: the votes an
    honest validator still re-sends (the decided slot and the 16 before) are never stale."""
    val = validators()
    q = KEYS[0]
    for seq in range(1, 31):
        junk = block(q, seq=seq)
        rejects = tuple(sign_vote(Vote(junk.block_id, q.peer_id, seq, k.peer_id, Decision.REJECT,
                                       Reason.LOW_IMPORTANCE), k, G.id) for k in KEYS[1:])  # q = 3
        assert await val.votes(msg(VoteBatch(rejects).encode(), "v")) is Verdict.ACCEPT
    assert await val.block(msg(encode_block_announce(block(q, seq=300), 0))) is Verdict.ACCEPT
    stale = VoteBatch((vote(KEYS[3], block(q, seq=13), 13),)).encode()  # 13 <= 30 + 47 - 64
    assert await val.votes(msg(stale, "replayer")) is Verdict.IGNORE
    resent = VoteBatch((vote(KEYS[3], block(q, seq=14), 14),)).encode()  # within the re-send window
    assert await val.votes(msg(resent, "v")) is Verdict.ACCEPT
    # Two REJECTs (f + 1) do not decide: an equivocating proposer's other variant may still commit.
    val2 = validators()
    for seq in range(1, 31):
        junk = block(q, seq=seq)
        rejects = tuple(sign_vote(Vote(junk.block_id, q.peer_id, seq, k.peer_id, Decision.REJECT,
                                       Reason.LOW_IMPORTANCE), k, G.id) for k in KEYS[1:3])
        await val2.votes(msg(VoteBatch(rejects).encode(), "v"))
    await val2.block(msg(encode_block_announce(block(q, seq=300), 0)))
    assert await val2.votes(msg(stale, "replayer")) is Verdict.ACCEPT


async def test_a_known_peers_work_runs_before_strangers_queued_work() -> None:
    """Review 37, finding E: the verifier's one thread served messages first in, first out, so an
    honest validator's vote batch waited behind every stranger's queued message (6.6-10.6 s behind
    64 decoder bombs). Known peers' work now runs before strangers' waiting work."""
    budget = Budget(BudgetParams(cpu_burst=100.0, cpu_rate=100.0))
    budget.add_known(["validator"])
    v = Verifier(budget, threads=1)
    order: list[str] = []

    def work(name: str):  # noqa: ANN202
        def run() -> str:
            time.sleep(0.02)
            order.append(name)
            return name
        return run

    async with trio.open_nursery() as nursery:
        for i in range(8):
            nursery.start_soon(v.run, f"stranger{i}", work(f"stranger{i}"))
        await trio.testing.wait_all_tasks_blocked()
        nursery.start_soon(v.run, "validator", work("validator"))
    assert order.index("validator") <= 1, order  # after the one running, not after all eight


async def test_a_cancelled_waiter_gives_its_thread_slot_on() -> None:
    v = Verifier(Budget(BudgetParams(cpu_burst=100.0, cpu_rate=100.0)), threads=1)
    with trio.move_on_after(0.01):
        async with trio.open_nursery() as nursery:
            for i in range(4):
                nursery.start_soon(v.run, f"p{i}", lambda: time.sleep(0.05))
    # Every slot came back: a fresh run gets the thread at once.
    with trio.fail_after(1):
        assert await v.run("later", lambda: 7) == 7
