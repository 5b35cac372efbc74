"""The optional invariants (commit rate under attack, status latency) and the new hostile messages."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from node.net.topics import decode_block_announce
from node.sim.hostile import Flood
from node.sim.invariants import (
    check_byzantine_actions,
    check_commit_rate_under_attack,
    check_status_latency,
)
from protocol.block import BlockLimits
from protocol.errors import AttnshareError, SignatureError
from protocol.keys import PrivateKey
from protocol.vote import decode_vote_batch

GID = "bafkreigfisshq4zppst2hlwicre5nhooosu4ulv36kwokijxqtjwkqg62q"


def _samples(rates: list[int], status_ms: float = 5.0) -> list[dict]:
    out, total = [], 0
    for t, r in enumerate(rates):
        total += r
        out.append({"t": float(t), "nodes": {"0": {"committed_records": total, "status_ms": status_ms},
                                              "1": None}})
    return out


T0 = 1_700_000_000_000


def _views(rates: list[int], rogue_rates: list[int] | None = None) -> list[SimpleNamespace]:
    """Two honest nodes holding the same blocks: one block of ``rates[t]`` records committed in second t
    (from the honest proposer "A"), plus one from the byzantine "R" of ``rogue_rates[t]`` records."""
    blocks = [SimpleNamespace(proposer="A", committed_ms=T0 + t * 1000 + 500, record_count=r)
              for t, r in enumerate(rates)]
    blocks += [SimpleNamespace(proposer="R", committed_ms=T0 + t * 1000 + 600, record_count=r)
               for t, r in enumerate(rogue_rates or [])]
    return [SimpleNamespace(peer_id="A", committed=blocks), SimpleNamespace(peer_id="B", committed=blocks)]


def test_commit_rate_under_attack_compares_with_an_equal_baseline():
    steady = _views([10] * 45)
    ok = check_commit_rate_under_attack(steady, T0, 24, 40)
    assert ok.ok
    assert "10.0 honest records/s under attack vs 10.0 without" in ok.detail
    assert "baseline 8-24 s, attack 24-40 s" in ok.detail
    bad = check_commit_rate_under_attack(_views([10] * 24 + [7] * 21), T0, 24, 40)
    assert not bad.ok
    assert "under attack" in bad.detail
    assert not check_commit_rate_under_attack(steady, T0, 10, 40).ok  # baseline would reach into warm-up
    assert not check_commit_rate_under_attack(steady, T0, 36, 40).ok  # too short to measure


def test_slow_start_up_is_not_the_baseline():
    """A 30% drop under attack is caught even when start-up was slower still (the old check passed it)."""
    res = check_commit_rate_under_attack(_views([3] * 10 + [10] * 14 + [7] * 21), T0, 24, 40)
    assert not res.ok, res.detail


def test_the_attackers_own_commits_are_not_honest_throughput():
    """Honest commits drop 30% while the byzantine proposer's committed blocks make up the total."""
    res = check_commit_rate_under_attack(_views([10] * 24 + [7] * 21, [0] * 24 + [3] * 21), T0, 24, 40)
    assert not res.ok, res.detail


def _fault(node: int, actions: tuple[str, ...]) -> SimpleNamespace:
    return SimpleNamespace(kind="byzantine-proposer", node=node, actions=actions)


def test_byzantine_actions_needs_every_listed_action():
    sc = SimpleNamespace(faults=[_fault(5, ("lie", "equivocate", "junk"))])
    events = [{"event": "ready"}, {"event": "inject", "action": "junk"}, {"event": "undecided"}]
    bad = check_byzantine_actions(sc, {"node5-proposer": events})
    assert not bad.ok
    assert "never injected 'lie'" in bad.detail
    assert "'equivocate'" in bad.detail
    events += [{"event": "inject", "action": "lie"}, {"event": "inject", "action": "equivocate"}]
    assert check_byzantine_actions(sc, {"node5-proposer": events}).ok
    assert not check_byzantine_actions(SimpleNamespace(faults=[]), {}).ok


def test_status_latency_fails_past_one_second():
    assert check_status_latency(_samples([1] * 5, 40.0)).ok
    slow = _samples([1] * 5)
    slow[3]["nodes"]["0"]["status_ms"] = 1500.0
    bad = check_status_latency(slow)
    assert not bad.ok
    assert "t=3.0s" in bad.detail


@pytest.fixture
def flood() -> Flood:
    key = PrivateKey(bytes(32))
    validators = tuple(PrivateKey(bytes([i]) * 32).peer_id for i in range(1, 4)) + (key.peer_id,)
    return Flood(key, "sim", GID, validators, random.Random(1), GID)


def test_invented_slot_votes_are_genuine_and_far_ahead(flood: Flood):
    _topic, data = flood.invented_slot_votes()
    votes = decode_vote_batch(data).votes
    assert all(v.vote.seq >= 100 for v in votes)
    votes[0].verify(GID)


def test_amplified_batch_is_refused_by_the_decoder(flood: Flood):
    _topic, data = flood.amplified_batch()
    with pytest.raises(AttnshareError):
        decode_vote_batch(data)


def test_forged_header_names_an_honest_proposer_and_fails_its_signature(flood: Flood):
    _topic, data = flood.forged_header()
    block = decode_block_announce(data, BlockLimits())
    assert block.header.proposer != flood.key.peer_id
    with pytest.raises(SignatureError):
        block.signed.verify(GID)


def test_evidence_is_owed_only_for_equivocations_whose_messages_were_both_sent() -> None:
    """A SIGTERM between a rogue's "inject" log line and its second message leaves nothing to see."""
    from node.sim.invariants import check_evidence, sent_equivocations

    done = {"event": "inject", "kind": "proposer-equivocation", "offender": "P", "slot": ["P", 3],
            "block_ids": ["a", "b"]}
    cut = {"event": "inject", "kind": "proposer-equivocation", "offender": "P", "slot": ["P", 9],
           "block_ids": ["c", "d"]}
    events = {"node3-proposer": [done, {"event": "sent", "slot": ["P", 3], "block_ids": ["a", "b"]}, cut,
                                 {"event": "sent", "slot": ["P", 9], "block_ids": ["c", "x"]}]}
    got = sent_equivocations(events)
    assert [e.get("cut_short", False) for e in got] == [False, True]
    check = check_evidence([], got, None)  # type: ignore[arg-type]
    assert not check.ok  # the sent one is still owed: no node holds its evidence
    assert "1 of 1 injected equivocations without evidence" in check.detail
    assert "1 cut short" in check.detail
    only_cut = check_evidence([], got[1:], None)  # type: ignore[arg-type]
    assert only_cut.ok
    assert "1 cut short" in only_cut.detail
