"""The sync adapter over an in-memory network of real stores: serving bounds and catch-up, no libp2p."""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
import trio

from node.core.syncsvc import SYNC_PROTOCOL, SyncService
from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from protocol.block import Block, BlockLimits, build_block
from protocol.catchup import Failed, SyncParams
from protocol.cid import cid_of
from protocol.errors import DecodeError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import Certificate
from protocol.record import Record
from protocol.sync import (
    ERR_BUSY,
    ERR_NOT_FOUND,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    BlocksResp,
    ErrorResp,
    GetBlocks,
    GetResp,
    Heads,
    HeadsResp,
    decode_response,
    encode_request,
    encode_response,
)
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, Vote, sign_vote

KEYS = [PrivateKey(bytes([0x30 + i]) * 32) for i in range(4)]
MODEL = cid_of(b"sync adapter test model")
LIMITS = BlockLimits()


def _genesis(**kw: Any) -> Genesis:
    return Genesis("synctest", ValidatorSet(k.peer_id for k in KEYS), (MODEL,), **kw)


def _certified(g: Genesis, seq: int, *, blob: int = 0, n: int = 3) -> tuple[Block, list[Record], Certificate]:
    key = KEYS[0]
    rng = random.Random(seq)
    recs = [
        Record.create("t", key.peer_id, seq * 1000 + i,
                      {"i": i, **{f"b{j}": rng.randbytes(4000) for j in range(blob)}})
        for i in range(n)
    ]
    block = build_block(key, genesis_id=g.id, network=g.network_id, seq=seq, prev=None, created_ms=seq,
                        model_id=MODEL, records=recs, scores=[0.5] * n, limits=LIMITS)
    votes = tuple(sign_vote(Vote(block.block_id, key.peer_id, seq, k.peer_id, Decision.ACCEPT, Reason.OK), k, g.id)
                  for k in KEYS[:3])
    return block, recs, Certificate(block.block_id, key.peer_id, seq, votes)


def _commit(store: Store, block: Block, records: list[Record], cert: Certificate) -> bool:
    h = block.header
    store.put_block(block.block_id, h.proposer, h.seq, block.signed.encode(), block.payload, h.created_ms,
                    h.record_count, 1, certified=True)
    return store.commit_block(block.block_id, cert.encode(), records, list(h.float_scores()), 1)


class Net:
    """In-memory request/response between SyncServices, by peer id."""

    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}

    def host(self, me: str, peers: list[str]) -> FakeP2P:
        return FakeP2P(self, me, peers)


class FakeP2P:
    def __init__(self, net: Net, me: str, peers: list[str]) -> None:
        self.net, self.me, self.peers = net, me, peers

    def set_handler(self, protocol_id: str, handler: Any, max_request: int | None = None) -> None:
        assert protocol_id == SYNC_PROTOCOL
        assert max_request == MAX_REQUEST_BYTES  # sync requests are refused from their length above it
        self.net.handlers[self.me] = handler

    async def request(self, peer: str, protocol_id: str, data: bytes, *, max_response: int) -> bytes:
        await trio.lowlevel.checkpoint()
        out: bytes = await self.net.handlers[peer](self.me, data)
        assert len(out) <= max_response
        return out

    def connected_peers(self) -> list[Any]:
        return [type("P", (), {"peer_id": p})() for p in self.peers]


class FakeConsensus:
    """What sync needs of the consensus task: commit a verified block, say if it was new."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.changed = trio.Event()

    async def submit_synced(self, block: Block, records: Any, cert: Certificate) -> bool:
        new = _commit(self.store, block, list(records), cert)
        self.changed.set()
        self.changed = trio.Event()
        return new


class CountingStore:
    """The real store, counting the block rows GetBlocks loads."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.rows_loaded = 0

    def blocks_range(self, proposer: str, from_seq: int, limit: int) -> list[Any]:
        rows = self._store.blocks_range(proposer, from_seq, limit)
        self.rows_loaded += len(rows)
        return rows

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _service(tmp_path: Any, name: str, net: Net, peers: list[str], g: Genesis, params: SyncParams | None = None,
             store: Any = None) -> tuple[SyncService, Store]:
    real = Store.open(os.path.join(tmp_path, f"{name}.sqlite"))
    svc = SyncService(p2p=net.host(name, peers), store=store(real) if store else real, db=Worker(f"db-{name}"),
                      consensus=FakeConsensus(real), genesis=g, metrics=Metrics(), params=params,
                      rng=random.Random(1), limits=LIMITS)
    return svc, real


async def _ask(net: Net, server: str, req: Any, peer: str = "client") -> Any:
    return decode_response(await net.handlers[server](peer, encode_request(req)))


async def test_get_blocks_loads_only_rows_that_fit_the_answer(tmp_path: Any) -> None:
    g = _genesis(max_payload_bytes=3 * 1024 * 1024)
    net = Net()
    svc, store = _service(tmp_path, "a", net, [], g, store=CountingStore)
    for seq in range(1, 9):  # eight ~2.4 MiB incompressible blocks: about six fit in 16 MiB
        assert _commit(store, *_certified(g, seq, blob=3, n=200))
    resp = await _ask(net, "a", GetBlocks(KEYS[0].peer_id, 1, 32))
    assert isinstance(resp, BlocksResp)
    kept = len(resp.items)
    assert 4 <= kept < 8
    assert svc.store.rows_loaded - kept <= 1  # the old server loaded all 8 (up to 32) first
    assert sum(len(b) + len(c) for b, c in resp.items) <= MAX_RESPONSE_BYTES
    rest = await _ask(net, "a", GetBlocks(KEYS[0].peer_id, kept + 1, 32))
    assert len(rest.items) == 8 - kept


async def test_requests_for_non_validators_and_garbage_are_refused_cheaply(tmp_path: Any) -> None:
    g = _genesis()
    net = Net()
    _service(tmp_path, "a", net, [], g)
    outsider = PrivateKey(b"\x77" * 32).peer_id
    resp = await _ask(net, "a", GetBlocks(outsider, 1, 8))
    assert isinstance(resp, ErrorResp)
    assert resp.code == ERR_NOT_FOUND
    # A malformed request raises DecodeError: the stream layer answers an error
    # frame and charges the sender's budget. Its text is safe to log.
    with pytest.raises(DecodeError) as info:
        await net.handlers["a"]("client", b"\x92\x02\xff\x1b[31m\xe2\x80\xae")
    assert all(" " <= ch <= "~" for ch in str(info.value))


async def test_blocks_are_served_for_genesis_proposers_not_for_validators_left_out(tmp_path: Any) -> None:
    proposer = PrivateKey(b"\x78" * 32).peer_id  # not a validator
    g = _genesis(proposers=(proposer, KEYS[0].peer_id))
    net = Net()
    svc, _store = _service(tmp_path, "a", net, [], g)
    assert isinstance(await _ask(net, "a", GetBlocks(proposer, 1, 8)), BlocksResp)
    left_out = await _ask(net, "a", GetBlocks(KEYS[1].peer_id, 1, 8))
    assert isinstance(left_out, ErrorResp)
    assert left_out.code == ERR_NOT_FOUND
    # The catch-up planner takes heads of the genesis proposers, and only theirs.
    assert proposer in svc.planner._members
    assert KEYS[1].peer_id not in svc.planner._members


async def test_one_peer_over_its_rate_gets_busy_others_do_not(tmp_path: Any) -> None:
    g = _genesis()
    net = Net()
    _service(tmp_path, "a", net, [], g, params=SyncParams(serve_rate_per_s=0.01, serve_burst=3))
    codes = [getattr(await _ask(net, "a", Heads(), peer="flooder"), "code", None) for _ in range(10)]
    assert codes[:3] == [None, None, None]
    assert codes[3:] == [ERR_BUSY] * 7
    assert isinstance(await _ask(net, "a", Heads(), peer="honest"), HeadsResp)


async def test_a_server_that_answers_busy_loses_no_standing_with_its_client(tmp_path: Any) -> None:
    """Review 37, finding 2: sybils kept a server's strangers' allowance spent, so it answered an
    honest observer "busy" (ERR_BUSY, or the stream layer's refusal); the observer charged each like
    a timeout and banned the honest server after 3 rounds."""
    from node.net.errors import PeerBusy

    g = _genesis()
    net = Net()
    _service(tmp_path, "a", net, ["b"], g, params=SyncParams(serve_rate_per_s=0.01, serve_burst=1))
    b, _ = _service(tmp_path, "b", net, ["a"], g, params=SyncParams(interval_ms=50))
    await _ask(net, "a", Heads(), peer="b")  # spends the burst: a answers b busy from now on
    before = b.metrics.remote_errors.labels("sync")._value.get()
    for _ in range(8):
        failed = await b._guard("a", b._heads("a", 10**15))
        assert isinstance(failed, Failed)
        assert failed.busy
    assert b.metrics.remote_errors.labels("sync")._value.get() == before

    async def stream_busy() -> Any:
        raise PeerBusy("request /attnshare/sync to a: peer answered busy")

    assert (await b._guard("a", stream_busy())).busy
    async with trio.open_nursery() as nursery:
        await nursery.start(b.run)
        await trio.sleep(1.0)  # some 20 rounds, every one answered busy
        nursery.cancel_scope.cancel()
    assert b.rounds >= 5
    assert not b.is_banned("a")
    assert b.planner.standing("a") == SyncParams().initial_standing


async def test_a_fetch_asks_genesis_members_before_a_stranger_hint(tmp_path: Any) -> None:
    """Review 37, findings 3 and F: the hint (whoever relayed the announce or published the
    certificate: anyone can be first) was asked first, then 3 peers drawn from all connected ones,
    10 s each. Sybils holding each request made 80% of fetches fail, and one answered with 16 MiB
    of empty arrays. Members are asked first now; a stranger hint after them."""
    g = _genesis()
    net = Net()
    member = KEYS[1].peer_id
    _, store = _service(tmp_path, member, net, [], g)
    block, recs, cert = _certified(g, 1)
    _commit(store, block, recs, cert)
    asked: list[str] = []
    strangers = [f"sybil{i}" for i in range(6)]

    def sybil(name: str) -> Any:
        async def answer(peer: str, data: bytes) -> bytes:
            asked.append(name)
            return encode_response(GetResp(None, None))  # "do not have it"
        return answer

    for name in strangers:
        net.handlers[name] = sybil(name)
    real = net.handlers[member]

    async def member_answer(peer: str, data: bytes) -> bytes:
        asked.append("member")
        return await real(peer, data)  # type: ignore[no-any-return]

    net.handlers[member] = member_answer
    client, _ = _service(tmp_path, "client", net, [*strangers, member], g)
    for _ in range(10):
        asked.clear()
        got = await client.fetch_block(block.block_id, hint="sybil0")
        assert got is not None
        assert got[0].block_id == block.block_id
        assert asked == ["member"]  # the stranger hint was never needed


async def test_catch_up_over_the_adapter_commits_everything_in_order(tmp_path: Any) -> None:
    g = _genesis()
    net = Net()
    params = SyncParams(interval_ms=50, batch=4)
    _, full = _service(tmp_path, "a", net, ["b"], g, params)
    for seq in range(1, 21):
        _commit(full, *_certified(g, seq))
    b, empty = _service(tmp_path, "b", net, ["a"], g, params)
    _commit(empty, *_certified(g, 7))  # one block learned live, below a gap
    async with trio.open_nursery() as nursery:
        await nursery.start(b.run)
        with trio.fail_after(20):
            while len(empty.blocks_range(KEYS[0].peer_id, 1, 100)) < 20:
                await b.consensus.changed.wait()
        nursery.cancel_scope.cancel()
    assert [r.seq for r in empty.blocks_range(KEYS[0].peer_id, 1, 100)] == list(range(1, 21))
    assert not b.is_banned("a")
    assert b.metrics.sync_blocks._value.get() == 19


@pytest.mark.parametrize("junk", [b"", b"\x00" * 300])
async def test_oversized_or_empty_requests_are_bad_requests(tmp_path: Any, junk: bytes) -> None:
    net = Net()
    _service(tmp_path, "a", net, [], _genesis())
    with pytest.raises(DecodeError):
        await net.handlers["a"]("client", junk)


async def test_a_request_over_the_sync_limit_is_refused_before_it_is_read() -> None:
    """Sync requests are at most 256 bytes, but the stream layer read any frame up to its
    1 MiB cap before the handler refused it: 64 open requests held 64 MiB. Now the sync
    handler's frame limit is 256 bytes, and a bigger frame is refused from its length."""
    from libp2p.custom_types import TProtocol
    from libp2p.peer.id import ID

    from node.net import NetConfig, open_p2p

    served: list[bytes] = []

    async def handler(peer: str, data: bytes) -> bytes:
        served.append(data)
        return b"ok"

    async with open_p2p(os.urandom(32), NetConfig()) as server, open_p2p(os.urandom(32), NetConfig()) as peer:
        server.set_handler(SYNC_PROTOCOL, handler, max_request=MAX_REQUEST_BYTES)
        await peer.connect(server.addrs()[0])
        stream = await peer._host.new_stream(ID.from_base58(server.peer_id), [TProtocol(SYNC_PROTOCOL)])
        await stream.write((1 << 20).to_bytes(4, "big"))  # a 1 MiB frame, and not one byte of it
        with trio.fail_after(3):  # answered at once (the old server waited 5 s for the body)
            answer = await stream.read(4096)
        assert b"exceeds 256" in answer
        assert served == []
        assert server.budget.view(peer.peer_id, trio.current_time()).bad_requests == 1


def test_sync_table_in_config_toml(tmp_path: Any) -> None:
    from node.config import load_config
    from protocol.errors import ConfigError

    (tmp_path / "config.toml").write_text("[node]\nanti_entropy_s = 1.5\n[sync]\nbatch = 8\nban_ms = 1000\n")
    cfg = load_config(tmp_path)
    assert cfg.sync.batch == 8
    assert cfg.sync.ban_ms == 1000
    for bad in ("[sync]\nbatch = 0\n", "[sync]\nnope = 1\n", "[sync]\ninterval_ms = 5\n"):
        (tmp_path / "config.toml").write_text(bad)
        with pytest.raises(ConfigError):
            load_config(tmp_path)
