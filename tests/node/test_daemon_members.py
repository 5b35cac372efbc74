"""The daemon decodes votes and certificates against validators-as-voters and proposers-as-slots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from node.config import NodeConfig
from node.core.daemon import Node
from protocol.block import build_block
from protocol.cid import cid_of
from protocol.errors import ValidationError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.validators import Members, ValidatorSet
from protocol.vote import Decision, Reason, Vote, VoteBatch, sign_vote

VALS = [PrivateKey(bytes([0xC0 + i]) * 32) for i in range(4)]
FEEDER = PrivateKey(bytes([0xCF]) * 32)
MODEL = cid_of(b"members test model")
G = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in VALS), accepted_model_ids=(MODEL,),
            proposers=tuple(k.peer_id for k in (*VALS, FEEDER)))


class _Scorer:
    model_id = MODEL

    def score(self, records: Any) -> list[float]:
        return [0.5] * len(records)


class _Consensus:
    def __init__(self) -> None:
        self.votes: list[Any] = []
        self.certs: list[Any] = []

    def post_votes(self, votes: list[Any], _peer: str) -> None:
        self.votes += votes

    def post_certificate(self, cert: Any, _peer: str) -> None:
        self.certs.append(cert)


def test_votes_and_certificate_for_a_non_validator_proposers_slot_are_decoded(tmp_path: Path) -> None:
    node = Node(NodeConfig(data_dir=tmp_path), G, VALS[0], _Scorer(), serve_admin=False)
    node.consensus = _Consensus()  # type: ignore[assignment]
    recs = [Record.create("note", FEEDER.peer_id, 1, {"i": 1})]
    b = build_block(FEEDER, genesis_id=G.id, network=G.network_id, seq=1, prev=None, created_ms=1,
                    model_id=MODEL, records=recs, scores=[0.5])
    votes = [sign_vote(Vote(b.block_id, FEEDER.peer_id, 1, k.peer_id, Decision.ACCEPT, Reason.OK), k, G.id)
             for k in VALS[:3]]
    batch = VoteBatch(tuple(votes)).encode()
    cert = Certificate(b.block_id, FEEDER.peer_id, 1, tuple(sorted(votes, key=lambda sv: sv.vote.voter))).encode()
    # With the validators alone (before this fix), the feeder's slot is refused after the topic accepted it.
    with pytest.raises(ValidationError):
        node._on_cert_msg("peer", cert)
    node._members = Members(G.validators, frozenset(G.proposer_ids))  # what run() takes from the topic validators
    node._on_votes_msg("peer", batch)
    node._on_cert_msg("peer", cert)
    assert [sv.vote for sv in node.consensus.votes] == [sv.vote for sv in votes]  # type: ignore[attr-defined]
    assert node.consensus.certs[0].proposer == FEEDER.peer_id  # type: ignore[attr-defined]
