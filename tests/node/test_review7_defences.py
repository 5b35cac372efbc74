"""Review 7: defences attacked that held (these passed before the fixes, and pass after them)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import trio

from node.admin.methods import AdminMethods
from node.admin.server import call, serve_admin_tcp
from node.admin.wire import INVALID_PARAMS, METHOD_NOT_FOUND, UNAUTHORIZED, Request, hello_line
from node.config import PipelineConfig
from node.core.pipeline import Pipeline
from node.metrics import Metrics
from node.store import Store
from node.store.search import SearchQueryError
from node.worker import Worker
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.validators import ValidatorSet
from tests.node.test_admin import FakeNode
from tests.node.test_search_cost import _store_with_committed_records

HOSTILE_QUERIES = [
    'a" OR "b', "NEAR(alpha1 beta2, 1)", "text:alpha1", "^alpha1", "alpha1 AND", "(", ")", '"', "'", "-alpha1",
    "alpha1 NOT beta2", "*", "**", "a**", "\x00alpha1", "alpha1\x00*", "{text}: alpha1", "alpha1 + beta2",
    "\u2028alpha1", "ａｌｐｈａ１", "alpha1\\", "x" * 5000,
]


def test_plain_search_text_is_never_fts5_syntax() -> None:
    """fts_phrase_query quotes every word: no operator, column filter or stray quote is an error."""
    store = _store_with_committed_records(blocks=1, per_block=200)
    try:
        for q in HOSTILE_QUERIES:
            if q == "a**":  # a one-letter prefix: refused by its own rule (finding 3), not by FTS5
                with pytest.raises(SearchQueryError, match="too short"):
                    store.search(q, 5)
                continue
            store.search(q, 5)  # raises on an FTS5 syntax error
        assert store.search("alpha1", 5) or True
    finally:
        store.close()


@pytest.mark.parametrize("name", ["_db", "lookup", "__init__", "node", "rpc_", "", ".status", "status.", "x" * 10_000])
async def test_only_rpc_methods_are_reachable(name: str) -> None:
    methods = AdminMethods(SimpleNamespace())  # type: ignore[arg-type]
    out = await call(methods, Request(1, name, {}))
    assert out["error"]["code"] == METHOD_NOT_FOUND
    assert len(out["error"]["message"]) < 200


async def test_listing_limits_and_unknown_params_are_invalid_params() -> None:
    store = Store.open(":memory:")
    methods = AdminMethods(SimpleNamespace(db=Worker("store"), store=store))  # type: ignore[arg-type]
    for method, params in [("search", {"query": "a", "limit": 100_001}), ("records", {"limit": 0}),
                           ("records", {"limit": True}), ("blocks", {"limit": 10**30}),
                           ("records", {"bogus": 1}), ("search", {"query": ["a"]})]:
        out = await call(methods, Request(1, method, params))
        assert out["error"]["code"] == INVALID_PARAMS, (method, params, out)
    store.close()


async def test_requests_pipelined_behind_a_bad_hello_are_never_run(tmp_path: Path) -> None:
    node = FakeNode(tmp_path)
    ran: list[str] = []
    node.status = lambda: ran.append("status") or SimpleNamespace()  # type: ignore[method-assign]
    req = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "status", "params": {}}).encode() + b"\n"
    async with trio.open_nursery() as n:
        port = await n.start(lambda task_status: serve_admin_tcp(node, 0, task_status=task_status))
        token = (tmp_path / "admin.token").read_text().strip()
        for bad in (hello_line(token[:-1] + ("0" if token[-1] != "0" else "1")), b"ATTNSHARE-ADMIN/1\n",
                    hello_line(token)[:-1] + b" x\n", b"\n", hello_line(token).upper()):
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            async with stream:
                await stream.send_all(bad + req * 3)
                answer = b""
                with trio.fail_after(5):
                    try:
                        while chunk := await stream.receive_some(4096):
                            answer += chunk
                    except trio.BrokenResourceError:
                        pass  # closed with our pipelined requests unread: a reset may eat the answer
            assert b'"result"' not in answer, (bad, answer)
            assert answer.count(b"\n") <= 1, (bad, answer)
            assert not answer or b'"code": %d' % UNAUTHORIZED in answer, (bad, answer)
        n.cancel_scope.cancel()
    assert ran == []


async def test_bad_records_in_an_ingest_batch_are_reported_and_the_good_ones_kept() -> None:
    me = PrivateKey(b"\x55" * 32)
    model = cid_of(b"review7 model")
    g = Genesis("review7", ValidatorSet(PrivateKey(bytes([0x70 + i]) * 32).peer_id for i in range(4)), (model,))
    store = Store.open(":memory:", me.peer_id)

    async def score(records: Any) -> list[float]:
        return [0.0] * len(records)

    pipe = Pipeline(key=me, genesis=g, config=PipelineConfig(), store=store, db=Worker("store"), score=score,
                    model_id=model, consensus=None, publish_block=None,  # type: ignore[arg-type]
                    metrics=Metrics(), now_ms=lambda: 1)
    bad = [
        {"kind": "\ud800", "ts_ms": 1, "fields": {}},  # lone surrogate (JSON allows the escape)
        {"kind": "k", "ts_ms": 1, "fields": {"\udfff": 1}},
        {"kind": "k", "ts_ms": 1, "fields": {"x": float("nan")}},  # json.loads accepts NaN
        {"kind": "k", "ts_ms": 1e300, "fields": {}},
        {"kind": "k", "ts_ms": True, "fields": {}},
        {"kind": "k", "ts_ms": 1, "fields": {"a.b": [1], "a": {"b": 2}}},  # one name twice once flattened
        {"kind": "k", "ts_ms": 1, "fields": {"x": {"$b64": "!!"}}},
        {"kind": "k", "ts_ms": 1, "fields": {"x": "y" * 4097}},
        {"kind": "k", "ts_ms": 1, "fields": {"x": {"y": {"$b64": "!!"}}}},  # nested bad base64
        "not an object",
    ]
    good = [{"kind": "k", "ts_ms": i, "fields": {"i": i}} for i in range(3)]
    res = await pipe.ingest(bad + good)
    assert [i for i, _ in res.errors] == list(range(len(bad)))
    assert len(res.cids) == 3
    assert store.count_records()["pending"] == 3
    json.dumps({"errors": res.errors})  # every message is serializable
    store.close()
