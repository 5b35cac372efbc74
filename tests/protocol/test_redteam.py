"""Red-team findings (issue 10, wave 2): each test fails on the code before its fix."""

from __future__ import annotations

from node.net.topics import Validators, encode_block_announce
from node.net.verify import Inbound, Verdict
from protocol.block import Block, BlockLimits, build_block
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record
from protocol.validators import ValidatorSet

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
