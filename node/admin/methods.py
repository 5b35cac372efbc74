"""Every admin method, over an :class:`AdminBackend` (the daemon, without importing it).

Each ``rpc_<name>`` answers the JSON-RPC method ``<name>`` (dots become
underscores). Methods validate their own params and raise AdminError with a
JSON-RPC code; anything else they raise is reported as an internal error by
the server and never stops it. Text params are checked to be encodable
(JSON can carry a lone surrogate, which SQLite's binding refuses) and integer
params to be integers in range (SQLite's are 64-bit) before they reach the
store, so a client's mistake is -32602, never an internal error (review 7,
finding 10).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any, Protocol

import trio

from node.admin.wire import INVALID_PARAMS, AdminError
from node.store.search import SearchQueryError


class AdminBackend(Protocol):
    """What the admin methods need from a node (``node.daemon.Node`` provides it).

    A Protocol rather than an import: admin never imports the daemon, so the
    two modules have no import cycle.
    """

    me: str
    config: Any
    genesis: Any
    consensus: Any
    p2p: Any
    db: Any
    store: Any
    limits: Any
    model: Any
    scorer: Any
    metrics: Any

    def status(self) -> Any: ...

    async def ingest(self, objs: Any) -> Any: ...

    async def explain_in_block(self, cid: str, top_k: int, block_id: str) -> dict[str, Any] | None: ...


class AdminMethods:
    """Every admin method; names map to ``rpc_<name>`` with dots as underscores."""

    def __init__(self, node: AdminBackend) -> None:
        self.node = node

    def lookup(self, name: str) -> Callable[..., Awaitable[Any]] | None:
        return getattr(self, "rpc_" + name.replace(".", "_"), None)

    async def rpc_status(self) -> dict[str, Any]:
        return asdict(self.node.status())

    async def rpc_ingest(self, records: list[Any]) -> dict[str, Any]:
        if not isinstance(records, list):
            raise AdminError("records must be a list", INVALID_PARAMS)
        res = await self.node.ingest(records)
        return {"cids": res.cids, "errors": [{"index": i, "error": e} for i, e in res.errors]}

    async def rpc_peers_wait(self, count: int, timeout_s: float = 30.0) -> dict[str, Any]:
        """Return once at least ``count`` peers are connected, or after ``timeout_s``; says which."""
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise AdminError("count must be an integer >= 0", INVALID_PARAMS)
        if not isinstance(timeout_s, int | float) or isinstance(timeout_s, bool) or not 0 <= timeout_s <= 120:
            raise AdminError("timeout_s must be a number in [0, 120]", INVALID_PARAMS)
        with trio.move_on_after(timeout_s):
            await self.node.p2p.wait_peers(lambda ps: len(ps) >= count)
        peers = len(self.node.p2p.connected_peers())
        return {"peers": peers, "ok": peers >= count}

    async def rpc_peers(self) -> list[dict[str, Any]]:
        """Connected and banned peers: address, latency, and their resource budget use and standing."""
        p2p = self.node.p2p
        connected = {p.peer_id: p for p in p2p.connected_peers()}
        manual = set(p2p.blocked_peers())
        out = []
        for b in p2p.peer_budgets():
            info = connected.get(b.peer_id)
            out.append({
                **asdict(b),
                "addrs": list(info.addrs) if info else [],
                "latency_ms": info.latency_ms if info else None,
                "connected": info is not None,
                "blocked": b.peer_id in manual,
                "validator": b.peer_id in self.node.genesis.validators,
            })
        return out

    async def rpc_validators(self) -> dict[str, Any]:
        vs = self.node.genesis.validators
        connected = {p.peer_id for p in self.node.p2p.connected_peers()}
        tips = self.node.consensus.tips()
        return {
            "n": vs.n, "f": vs.f, "q": vs.q,
            "validators": [
                {"peer_id": p, "self": p == self.node.me, "connected": p in connected,
                 "height": tips.get(p, (0, None))[0]}
                for p in vs.peer_ids
            ],
        }

    async def rpc_peer_connect(self, addr: str) -> dict[str, Any]:
        pid = await self.node.p2p.connect(_text("addr", addr))
        return {"peer_id": pid}

    async def rpc_peer_block(self, peer_id: str) -> dict[str, Any]:
        await self.node.p2p.block_peer(_text("peer_id", peer_id))
        await self.node.db.run(self.node.store.set_peer_blocked, peer_id, True)
        return {"peer_id": peer_id, "blocked": True}

    async def rpc_peer_unblock(self, peer_id: str) -> dict[str, Any]:
        self.node.p2p.unblock_peer(_text("peer_id", peer_id))
        await self.node.db.run(self.node.store.set_peer_blocked, peer_id, False)
        # A ban for misbehaviour is not lifted by hand; say when it ends.
        banned = peer_id in self.node.p2p.blocked_peers()
        return {"peer_id": peer_id, "blocked": False, "still_banned": banned}

    # ---- read-only views over the store (each a single store call in the worker thread)
    async def _db(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await self.node.db.run(lambda: fn(*args, **kw))

    async def rpc_records(self, status: str | None = None, kind: str | None = None,
                          min_score: float | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        if status is not None and status not in ("pending", "shipped", "kept", "committed"):
            raise AdminError("status must be one of pending, shipped, kept, committed", INVALID_PARAMS)
        rows = await self._db(self.node.store.query_records, status=status, kind=_opt_text("kind", kind),
                              min_score=_opt_number("min_score", min_score), limit=_limit(limit),
                              offset=_int("offset", offset, 0, _INT64_MAX))
        return [_record_row(r) for r in rows]

    async def rpc_blocks(self, proposer: str | None = None, since_ms: int | None = None,
                         until_ms: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self._db(self.node.store.list_blocks, proposer=_opt_text("proposer", proposer),
                              since_ms=_opt_int("since_ms", since_ms, 0, _INT64_MAX),
                              until_ms=_opt_int("until_ms", until_ms, 0, _INT64_MAX),
                              limit=_limit(limit), status="committed")
        return [_block_row(r, r.payload_bytes) for r in rows]

    async def rpc_show(self, cid: str) -> dict[str, Any]:
        _cid(cid)
        block = await self._db(self.node.store.get_block, cid)
        if block is not None:
            return await self._show_block(block)
        rec = await self._db(self.node.store.get_record, cid)
        if rec is not None:
            return {"type": "record", **_record_row(rec)}
        raise AdminError(f"no block or record {cid} here", 404)

    async def _show_block(self, row: Any) -> dict[str, Any]:
        from protocol.block import decode_signed_header
        from protocol.quorum import decode_certificate
        from protocol.vote import decode_signed_vote

        h = decode_signed_header(row.header, self.node.limits).header
        payload_bytes = len(row.payload) if row.payload is not None else None
        out = {"type": "block", **_block_row(row, payload_bytes), "header": {
            "version": h.version, "network": h.network, "proposer": h.proposer, "seq": h.seq, "prev": h.prev,
            "created_ms": h.created_ms, "model_id": h.model_id, "payload_cid": h.payload_cid,
            "payload_len": h.payload_len, "codec": h.codec, "record_count": h.record_count,
            "scores": [round(x, 4) for x in h.float_scores()]}}
        if row.cert is not None:
            cert = decode_certificate(row.cert)
            out["certificate"] = {"votes": [_vote(sv) for sv in cert.votes]}
        votes = await self._db(self.node.store.votes_for, row.block_id)
        out["votes"] = [_vote(decode_signed_vote(v)) for v in votes]
        recs = await self._db(self.node.store.block_records, row.block_id)
        out["records"] = [_record_row(r) for r in recs]
        return out

    async def rpc_search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        if not isinstance(query, str) or not query.strip():
            raise AdminError("query must be a non-empty string", INVALID_PARAMS)
        _text("query", query)
        try:
            rows = await self._db(self.node.store.search, query, _limit(limit))
        except SearchQueryError as exc:  # too many words, a short prefix, over the time budget
            raise AdminError(str(exc), INVALID_PARAMS) from None
        return [_record_row(r) for r in rows]

    async def rpc_explain(self, cid: str, top_k: int = 5) -> dict[str, Any]:
        """Re-score the record in its context (its block, or its local window) and explain."""
        _text("cid", cid)  # any other string is answered 404, as before
        top_k = _int("top_k", top_k, 0, _MAX_TOP_K)
        row = await self._db(self.node.store.get_record, cid)
        if row is None:
            raise AdminError(f"no record {cid} here", 404)
        if row.block_id is not None:
            # As validators scored it: block order, with the history of the view the block names.
            exp = await self.node.explain_in_block(cid, top_k, row.block_id)
            if exp is not None:
                return {"cid": cid, "status": row.status, "stored_score": row.score, **exp}
            context = [r.record for r in await self._db(self.node.store.block_records, row.block_id)]
            where = f"block {row.block_id}"
        else:
            around = await self._db(self.node.store.records_around, cid, 256)
            context = [r.record for r in around]
            where = "local window"
        idx = next((i for i, r in enumerate(context) if r.cid == cid), None)
        if idx is None:
            context, idx, where = [row.record], 0, "alone"
        exp = await self.node.model.run(self.node.scorer.explain, context, idx, top_k)
        return {"cid": cid, "context": where, "context_size": len(context), "status": row.status,
                "stored_score": row.score, **exp}

    async def rpc_votes(self, voter: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        from protocol.vote import decode_signed_vote

        rows = await self._db(self.node.store.list_votes, voter=_opt_text("voter", voter), limit=_limit(limit))
        return [_vote(decode_signed_vote(r.vote)) for r in rows]

    async def rpc_evidence(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self._db(self.node.store.list_evidence, _limit(limit))
        return [{"id": r.id, "kind": r.kind, "offender": r.offender, "proposer": r.proposer, "seq": r.seq,
                 "found_ms": r.found_ms, "body": r.body.hex()} for r in rows]

    async def rpc_metrics(self) -> str:
        return str(self.node.metrics.exposition().decode())


def _limit(limit: Any) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100_000:
        raise AdminError("limit must be an integer in [1, 100000]", INVALID_PARAMS)
    return limit


_INT64_MAX = (1 << 63) - 1  # SQLite's integers; past it the binding raises OverflowError
_MAX_TOP_K = 1024  # explain lists at most a window's records and a record's 64 fields


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    # bool is an int in Python, and a float or "5" is not what the client meant to send.
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise AdminError(f"{name} must be an integer in [{lo}, {hi}]", INVALID_PARAMS)
    return value


def _opt_int(name: str, value: Any, lo: int, hi: int) -> int | None:
    return None if value is None else _int(name, value, lo, hi)


def _opt_number(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise AdminError(f"{name} must be a finite number", INVALID_PARAMS)
    return float(value)


def _text(name: str, value: Any) -> str:
    """``value`` if it is a string SQLite (and any UTF-8 consumer) can take."""
    if not isinstance(value, str):
        raise AdminError(f"{name} must be a string", INVALID_PARAMS)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: JSON's "\ud800" escape allows it
        raise AdminError(f"{name} is not valid Unicode text (it holds a lone surrogate)", INVALID_PARAMS) from None
    return value


def _opt_text(name: str, value: Any) -> str | None:
    return None if value is None else _text(name, value)


def _cid(cid: Any) -> str:
    from protocol.cid import validate_cid
    from protocol.errors import DecodeError

    try:
        return validate_cid(_text("cid", cid))
    except DecodeError as exc:
        raise AdminError(f"not a CID: {exc}", INVALID_PARAMS) from None


def _record_row(r: Any) -> dict[str, Any]:
    return {"cid": r.record.cid, "status": r.status, "score": r.score, "block_id": r.block_id,
            "ingested_ms": r.ingested_ms, "record": r.record.to_json()}


def _block_row(r: Any, payload_bytes: int | None) -> dict[str, Any]:
    """A listed block (BlockSummary, sizes only) or a shown one (BlockRow, read whole)."""
    return {"block_id": r.block_id, "proposer": r.proposer, "seq": r.seq, "status": r.status,
            "record_count": r.record_count, "created_ms": r.created_ms, "committed_ms": r.committed_ms,
            "payload_bytes": payload_bytes}


def _vote(sv: Any) -> dict[str, Any]:
    v = sv.vote
    return {"block_id": v.block_id, "proposer": v.proposer, "seq": v.seq, "voter": v.voter,
            "decision": v.decision.name, "reason": v.reason.name}
