"""Sync protocol messages: round trips, bounds, and decoder fuzzing."""

from __future__ import annotations

import contextlib

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.cid import cid_of
from protocol.errors import DecodeError, LocalError
from protocol.keys import PrivateKey
from protocol.sync import (
    ERR_NOT_FOUND,
    MAX_HEADS,
    MAX_LIMIT,
    MAX_RESPONSE_BYTES,
    BlocksResp,
    ErrorResp,
    Get,
    GetBlocks,
    GetResp,
    Heads,
    HeadsResp,
    Request,
    Response,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)

PEERS = [PrivateKey(bytes([i + 1]) * 32).peer_id for i in range(8)]

cids = st.binary(max_size=8).map(cid_of)
peers = st.sampled_from(PEERS)
seqs = st.integers(1, 2**63 - 1)

requests: st.SearchStrategy[Request] = st.one_of(
    st.just(Heads()),
    st.builds(GetBlocks, peers, seqs, st.integers(1, MAX_LIMIT)),
    st.builds(Get, cids),
)


@st.composite
def heads_resps(draw: st.DrawFn) -> HeadsResp:
    chosen = draw(st.lists(peers, unique=True, max_size=len(PEERS)))
    out = []
    for p in chosen:
        seq = draw(seqs)
        out.append((p, seq, draw(cids), draw(st.integers(1, seq))))
    return HeadsResp(tuple(out))


responses: st.SearchStrategy[Response] = st.one_of(
    heads_resps(),
    st.builds(
        BlocksResp,
        st.lists(st.tuples(st.binary(max_size=64), st.binary(max_size=64)), max_size=5).map(tuple),
    ),
    st.builds(GetResp, st.none() | st.binary(max_size=64), st.none() | st.binary(max_size=64)),
    st.builds(ErrorResp, st.integers(0, 65535), st.text(max_size=50)),
)


@given(requests)
@settings(max_examples=100, deadline=None)
def test_request_round_trip(req: Request) -> None:
    data = encode_request(req)
    assert decode_request(data) == req


@given(responses)
@settings(max_examples=100, deadline=None)
def test_response_round_trip(resp: Response) -> None:
    data = encode_response(resp)
    back = decode_response(data)
    assert back == resp
    assert type(back) is type(resp)


@pytest.mark.parametrize(
    "make",
    [
        lambda: GetBlocks(PEERS[0], 1, 0),
        lambda: GetBlocks(PEERS[0], 1, MAX_LIMIT + 1),
        lambda: GetBlocks(PEERS[0], 0, 10),
        lambda: GetBlocks("nobody", 1, 10),
        lambda: Get("bafy-nope"),
        lambda: HeadsResp(((PEERS[0], 1, cid_of(b"a"), 1), (PEERS[0], 2, cid_of(b"b"), 1))),
        lambda: HeadsResp(((PEERS[0], 2, cid_of(b"a"), 3),)),
        lambda: HeadsResp(((PEERS[0], 2, cid_of(b"a")),)),
        lambda: HeadsResp(((PEERS[0], 0, cid_of(b"a"), 1),)),
        lambda: BlocksResp(((b"block", None),)),  # type: ignore[arg-type]
        lambda: GetResp("block", None),  # type: ignore[arg-type]
        lambda: ErrorResp(70000, "x"),
        lambda: ErrorResp(ERR_NOT_FOUND, "x" * 2000),
    ],
)
def test_constructors_enforce_bounds(make: object) -> None:
    with pytest.raises(DecodeError):
        make()  # type: ignore[operator]


def test_wire_limit_checks_happen_before_allocation() -> None:
    # GetBlocks asking for more than MAX_LIMIT, encoded by hand.
    with pytest.raises(DecodeError):
        decode_request(msgpack.packb([2, PEERS[0], 1, MAX_LIMIT + 1]))
    # Array headers that claim more entries than any bound, with no body.
    with pytest.raises(DecodeError):
        decode_response(b"\x92\x01\xdd" + (MAX_HEADS + 1).to_bytes(4, "big"))
    with pytest.raises(DecodeError):
        decode_response(b"\x92\x02\xdd" + (MAX_LIMIT + 1).to_bytes(4, "big"))
    items = [[b"b", b"c"]] * (MAX_LIMIT + 1)
    with pytest.raises(DecodeError, match="at most"):
        decode_response(msgpack.packb([2, items]))
    with pytest.raises(DecodeError, match="exceeds limit"):
        decode_response(b"\x00" * (MAX_RESPONSE_BYTES + 1))


def test_unknown_tags_and_non_canonical_bytes() -> None:
    with pytest.raises(DecodeError, match="unknown"):
        decode_request(msgpack.packb([9]))
    with pytest.raises(DecodeError, match="unknown"):
        decode_response(msgpack.packb([9, 1]))
    # Heads with the tag as a uint8 (0xcc 0x01) instead of a fixint.
    assert msgpack.unpackb(b"\x91\xcc\x01") == [1]
    with pytest.raises(DecodeError, match="canonical"):
        decode_request(b"\x91\xcc\x01")


def test_oversized_response_is_a_local_error_and_fitting_cuts_it() -> None:
    big = b"\x00" * (4 * 1024 * 1024)
    items = [(big, b"cert")] * 5  # 20 MiB: over the 16 MiB cap
    with pytest.raises(LocalError):
        encode_response(BlocksResp(tuple(items)))
    resp = BlocksResp.fitting(items)
    assert len(resp.items) == 3
    data = encode_response(resp)
    assert len(data) <= MAX_RESPONSE_BYTES
    assert decode_response(data) == resp
    assert BlocksResp.fitting([(b"x", b"y")] * (MAX_LIMIT + 10)).items == ((b"x", b"y"),) * MAX_LIMIT


_GOOD_REQ = [encode_request(r) for r in (Heads(), GetBlocks(PEERS[1], 5, 32), Get(cid_of(b"x")))]
_GOOD_RESP = [
    encode_response(r)
    for r in (
        HeadsResp(((PEERS[0], 3, cid_of(b"a"), 2), (PEERS[1], 9, cid_of(b"b"), 9))),
        BlocksResp(((b"block-bytes", b"cert-bytes"), (b"b2", b"c2"))),
        GetResp(b"block", None),
        ErrorResp(ERR_NOT_FOUND, "no such block"),
    )
]


@given(st.binary(max_size=400))
@settings(max_examples=400, deadline=None)
def test_decoders_fuzz_random_bytes(data: bytes) -> None:
    for decode in (decode_request, decode_response):
        with contextlib.suppress(DecodeError):
            decode(data)


def _mutate(good: bytes, data: st.DataObject) -> bytes:
    buf = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(buf) - 1)) if buf else 0
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip" and buf:
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del buf[pos:]
        else:
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
    return bytes(buf)


@given(st.sampled_from(_GOOD_REQ), st.data())
@settings(max_examples=300, deadline=None)
def test_request_decoder_fuzz_mutated(good: bytes, data: st.DataObject) -> None:
    buf = _mutate(good, data)
    try:
        req = decode_request(buf)
    except DecodeError:
        return
    assert encode_request(req) == buf


@given(st.sampled_from(_GOOD_RESP), st.data())
@settings(max_examples=300, deadline=None)
def test_response_decoder_fuzz_mutated(good: bytes, data: st.DataObject) -> None:
    buf = _mutate(good, data)
    try:
        resp = decode_response(buf)
    except DecodeError:
        return
    assert encode_response(resp) == buf


# --- cheap checks first (finding 1), serving rules (finding 11), log safety (finding 14) ---------


def _fresh_peer_ids(n: int) -> list[str]:
    return [PrivateKey(i.to_bytes(4, "big") * 8).peer_id for i in range(1000, 1000 + n)]


def test_heads_and_get_blocks_decode_without_parsing_any_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Decoding must never reach the curve: make every key parse blow up.
    import protocol.keys
    import protocol.vote

    def boom(_: str) -> None:
        raise AssertionError("curve math on a sync message")

    ids = _fresh_peer_ids(64)
    heads = HeadsResp(tuple((p, 5, cid_of(p.encode()), 3) for p in ids))
    data = encode_response(heads)
    req = encode_request(GetBlocks(ids[0], 1, 8))
    monkeypatch.setattr(protocol.keys, "public_key_from_peer_id", boom)
    monkeypatch.setattr(protocol.vote, "public_key_from_peer_id", boom)
    assert decode_response(data) == heads
    assert decode_request(req) == GetBlocks(ids[0], 1, 8)


@pytest.mark.parametrize("bad", ["", "x" * 39, "0" * 52, "l" * 52, "I" * 52, "1" * 61])
def test_peer_id_shape_refuses_non_base58_and_wrong_lengths(bad: str) -> None:
    with pytest.raises(DecodeError):
        GetBlocks(bad, 1, 1)
    with pytest.raises(DecodeError):
        HeadsResp(((bad, 1, cid_of(b"a"), 1),))


def test_heads_are_bounded_by_the_validator_set_size() -> None:
    from protocol.validators import MAX_VALIDATORS

    assert MAX_HEADS == MAX_VALIDATORS


def test_serve_gate_caps_in_flight_and_rate_per_peer() -> None:
    from protocol.catchup import SyncParams
    from protocol.sync import ServeGate

    gate = ServeGate(SyncParams(serve_inflight_per_peer=2, serve_rate_per_s=10, serve_burst=3))
    assert gate.admit("a", 0)
    assert gate.admit("a", 0)
    assert not gate.admit("a", 0)  # two in flight
    assert gate.admit("b", 0)  # another peer is not affected
    gate.release("a")
    assert gate.admit("a", 0)  # third token
    gate.release("a")
    gate.release("a")
    assert not gate.admit("a", 0)  # bucket empty
    assert not gate.admit("a", 50)  # half a token refilled
    assert gate.admit("a", 100)  # 10/s: one token per 100 ms
    assert gate.refused == 3


def test_serve_gate_table_is_bounded_and_keeps_busy_peers() -> None:
    from protocol.catchup import SyncParams
    from protocol.sync import ServeGate

    gate = ServeGate(SyncParams(serve_max_peers=8))
    assert gate.admit("busy", 0)
    for i in range(100):
        gate.admit(f"p{i}", i)
        gate.release(f"p{i}")
    assert len(gate) <= 8
    assert gate.inflight("busy") == 1


def test_serve_gate_strangers_share_one_pool_and_known_peers_keep_their_own() -> None:
    """Review 7, finding 4: answer bytes were budgeted per peer id, so N fresh ids got N budgets."""
    from protocol.catchup import SyncParams
    from protocol.sync import MAX_RESPONSE_BYTES, SERVE_STRANGER_POOL, ServeGate

    gate = ServeGate(SyncParams(), is_known={"validator"}.__contains__)
    assert SERVE_STRANGER_POOL == 2.0  # as BudgetParams.stranger_pool
    served = 0
    for i in range(100):  # 100 sybils, each asking for one full answer
        if gate.admit(f"sybil-{i}", 0):
            gate.release(f"sybil-{i}", MAX_RESPONSE_BYTES)
            served += 1
    assert served == 4  # the pool's 64 MiB burst (per id, 2faf772 served all 100)
    assert gate.admit("validator", 0)  # a known peer's own budget is untouched
    gate.release("validator", MAX_RESPONSE_BYTES)
    assert not gate.admit("sybil-200", 0)  # a fresh stranger waits for the pool too
    assert gate.admit("sybil-200", 100)  # the pool refills at 16 MiB/s
    # Requests in flight: stranger_pool x 2 for all strangers together.
    gate = ServeGate(SyncParams(), is_known={"validator"}.__contains__)
    assert [gate.admit(f"s{i}", 0) for i in range(6)] == [True] * 4 + [False] * 2
    assert gate.pool_inflight() == 4
    assert gate.admit("validator", 0)
    gate.release("s0", 100)
    assert gate.pool_inflight() == 3
    assert gate.admit("s5", 0)


def test_serve_gate_shares_the_strangers_pool_fairly() -> None:
    """Review 37, finding 2: two fresh ids polling at their own full rate (20/s each) took the
    strangers' whole pool (40/s), and an observer (a stranger too) was answered busy for as long as
    they kept it up. Now each stranger that asked lately draws at most its share of the pool."""
    from protocol.catchup import SyncParams
    from protocol.sync import ServeGate

    def run(observer: bool) -> dict[str, int]:
        gate = ServeGate(SyncParams(), is_known=lambda peer: False)
        ok = {"a": 0, "b": 0, "observer": 0}
        for t in range(0, 10_000, 5):  # 10 s: the attackers ask every 5 ms, the observer every 500 ms
            askers = ["a", "b"] + (["observer"] if observer and t % 500 == 0 else [])
            for p in askers:
                if gate.admit(p, t):
                    gate.release(p, 100)
                    ok[p] += 1
        return ok

    alone = run(observer=False)
    assert alone["a"] + alone["b"] >= 390  # the pool's 40/s for 10 s, and its burst
    shared = run(observer=True)
    assert shared["observer"] == 20  # every one of its 20 requests (the old gate: 0 after the burst)
    assert shared["a"] + shared["b"] < alone["a"] + alone["b"]


def test_serve_gate_keeps_peers_in_debt_when_the_table_is_full() -> None:
    from protocol.catchup import SyncParams
    from protocol.sync import MAX_RESPONSE_BYTES, ServeGate

    params = SyncParams(serve_max_peers=8, serve_bytes_burst=1024)
    gate = ServeGate(params, is_known=lambda peer: True)  # no pool: only the table is tested
    assert gate.admit("debtor", 0)
    gate.release("debtor", MAX_RESPONSE_BYTES)  # 16 MiB in debt: 2 s at 8 MiB/s
    for i in range(100):
        gate.admit(f"p{i}", i)
        gate.release(f"p{i}")
    assert len(gate) <= 8
    assert not gate.admit("debtor", 1000)  # 2faf772 forgot it: a fresh bucket, the debt wiped
    assert gate.admit("debtor", 2100)


def test_blocks_fitter_loads_only_rows_that_fit() -> None:
    from protocol.sync import BlocksFitter

    big = 4 << 20
    fitter = BlocksFitter(max_items=32, max_block_bytes=big)
    loaded = 0
    while (n := fitter.chunk()) > 0:
        for _ in range(n):
            loaded += 1
            if not fitter.take(b"\x00" * big, b"c" * 100):
                break
    kept = len(fitter.items)
    assert kept == 3  # three 4 MiB blocks fit in 16 MiB with room for their certificates
    assert loaded - kept <= 1  # at most one row loaded in vain
    assert len(encode_response(fitter.response())) <= MAX_RESPONSE_BYTES


def test_blocks_fitter_small_blocks_stop_at_the_item_limit() -> None:
    from protocol.sync import BlocksFitter

    fitter = BlocksFitter(max_items=5, max_block_bytes=1000)
    assert fitter.chunk() == 5
    for _ in range(5):
        assert fitter.take(b"b" * 100, b"c")
    assert fitter.chunk() == 0
    assert not fitter.take(b"b", b"c")


def test_sanitize_text_keeps_logs_to_one_printable_line() -> None:
    from protocol.sync import sanitize_text

    assert sanitize_text("ok: fine") == "ok: fine"
    assert sanitize_text("a\nb\x1b[31mc\u202e") == "a?b?[31mc?"
    long = sanitize_text("x" * 5000, 50)
    assert long == "x" * 50 + "..."


def test_recent_keys_count_those_seen_in_the_window_and_stay_bounded() -> None:
    from protocol.lru import RecentKeys

    seen: RecentKeys[str] = RecentKeys(10, 3)
    assert seen.touch("a", 0) == 1
    assert seen.touch("b", 5) == 2
    assert seen.touch("a", 9) == 2  # a touch again is one key, and moves it to the back
    assert seen.touch("c", 16) == 2  # b (seen at 5) has left the window; a (at 9) has not
    assert [seen.touch(k, 17) for k in "def"] == [3, 3, 3]  # never past max_entries
    assert len(seen) == 3
