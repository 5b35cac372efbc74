"""Review 7, finding 10: some bad admin params were answered "internal error" (logged with a traceback).

``node.admin.server.call`` maps TypeError to INVALID_PARAMS and any other unexpected exception to
INTERNAL (-32603, ``log.exception``). JSON can carry a lone surrogate (``"\\ud800"``), which the
store's sqlite3 binding refused with UnicodeEncodeError; ``rpc_records`` converted ``offset`` with
``int()`` (ValueError) and passed it unchecked to SQLite (OverflowError); ``rpc_explain`` did
``int(top_k)``. None of these is the daemon's fault, yet each logged an error with a traceback and
counted as an internal failure; a client could not tell its mistake from a daemon bug. Now the
methods check their text and integer params and answer -32602.
"""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from node.admin.methods import AdminMethods
from node.admin.server import call
from node.admin.wire import INVALID_PARAMS, Request, parse_request
from node.store import Store
from node.worker import Worker
from protocol.cid import cid_of

CID = cid_of(b"no such record")


@pytest.mark.parametrize(("method", "params"), [
    # the review's five
    ("search", '{"query": "\\ud800"}'),
    ("records", '{"kind": "\\ud800"}'),
    ("records", '{"offset": 1e30}'),
    ("records", '{"offset": "x"}'),
    ("explain", '{"cid": "\\udfff"}'),
    # the same mistakes elsewhere
    ("records", '{"offset": 100000000000000000000}'),
    ("records", '{"offset": -1}'),
    ("records", '{"offset": true}'),
    ("records", '{"min_score": "x"}'),
    ("records", '{"min_score": NaN}'),
    ("blocks", '{"proposer": "\\ud800"}'),
    ("blocks", '{"since_ms": 100000000000000000000}'),
    ("blocks", '{"until_ms": "soon"}'),
    ("votes", '{"voter": "\\udbff"}'),
    ("show", '{"cid": "\\ud800"}'),
    ("explain", f'{{"cid": "{CID}", "top_k": "x"}}'),
    ("explain", f'{{"cid": "{CID}", "top_k": 1e30}}'),
    ("explain", f'{{"cid": "{CID}", "top_k": -1}}'),
])
async def test_bad_params_are_invalid_params_not_internal_errors(method: str, params: str,
                                                                 caplog: Any) -> None:
    store = Store.open(":memory:")
    methods = AdminMethods(SimpleNamespace(db=Worker("store"), store=store))  # type: ignore[arg-type]
    line = f'{{"jsonrpc": "2.0", "id": 1, "method": "{method}", "params": {params}}}'.encode()
    req = parse_request(line)
    assert isinstance(req, Request)
    with caplog.at_level(logging.ERROR, logger="attnshare.admin"):
        out = await call(methods, req)
    store.close()
    json.dumps(out)
    # Before the fix: -32603 "internal error: UnicodeEncodeError/OverflowError/ValueError ...", logged as a crash.
    assert out.get("error", {}).get("code") == INVALID_PARAMS, out
    assert not caplog.records


async def test_good_params_still_answer() -> None:
    store = Store.open(":memory:")
    methods = AdminMethods(SimpleNamespace(db=Worker("store"), store=store))  # type: ignore[arg-type]
    for method, params in [("records", {"kind": "é", "offset": 2**63 - 1, "min_score": 0}),
                           ("blocks", {"proposer": "p", "since_ms": 0, "until_ms": 2**63 - 1}),
                           ("search", {"query": "zürich"}), ("votes", {"voter": "v"})]:
        out = await call(methods, Request(1, method, params))
        assert out["result"] == [], (method, out)
    out = await call(methods, Request(1, "explain", {"cid": CID, "top_k": 3}))
    assert out["error"]["code"] == 404  # a well-formed CID that is not here
    out = await call(methods, Request(1, "explain", {"cid": "c1", "top_k": 3}))
    assert out["error"]["code"] == 404  # nor is any other string
    store.close()


async def test_a_lone_surrogate_a_method_did_not_check_is_still_invalid_params(caplog: Any) -> None:
    class Methods:
        def lookup(self, name: str) -> Any:
            async def rpc(text: str) -> None:
                text.encode("utf-8")
            return rpc

    with caplog.at_level(logging.ERROR, logger="attnshare.admin"):
        out = await call(Methods(), Request(1, "x", {"text": "\ud800"}))  # type: ignore[arg-type]
    assert out["error"]["code"] == INVALID_PARAMS
    assert not caplog.records
