"""Local admin API: JSON-RPC 2.0 over a Unix socket in the data dir (mode 0600).

One JSON object per line in each direction. The socket lives in the data dir
and is chmod 0600 before it accepts anything, so only the node's own user can
drive it. There is no TCP admin port.

The client side (:class:`AdminClient`) is plain blocking sockets: the CLI must
start fast and never needs trio for a request/response.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import socket
import stat
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trio

from protocol.errors import AttnshareError, LocalError

if TYPE_CHECKING:
    from node.daemon import Node

log = logging.getLogger("attnshare.admin")

MAX_REQUEST = 64 << 20  # an ingest of many records fits
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL = -32700, -32600, -32601, -32602, -32603
APP_ERROR = 1


class AdminError(LocalError):
    """An admin request failed; ``code`` follows JSON-RPC."""

    def __init__(self, message: str, code: int = APP_ERROR) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------- server
async def serve_admin(node: Node, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
    path = node.config.admin_socket
    if path.exists() or path.is_symlink():
        path.unlink()  # we hold the data-dir lock, so any socket here is a stale one of ours
    sock = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        await sock.bind(str(path))
    finally:
        os.umask(old_umask)
    os.chmod(path, 0o600)
    sock.listen(16)
    listener = trio.SocketListener(sock)
    methods = AdminMethods(node)
    try:
        async with listener, trio.open_nursery() as nursery:
            task_status.started()
            while True:
                stream = await listener.accept()
                nursery.start_soon(_serve_conn, stream, methods)
    finally:
        path.unlink(missing_ok=True)


TOKEN_FILE = "admin.token"
UNAUTHORIZED = -32001


async def serve_admin_tcp(
    node: Node, port: int, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED
) -> None:
    """The optional TCP admin endpoint: 127.0.0.1 only, every request must carry the token.

    The token is 32 random bytes, written (mode 0600) to ``<data_dir>/admin.token``
    at each start, so only a user who can read the data dir can use the port.
    """
    token = secrets.token_hex(32)
    path = node.config.data_dir / TOKEN_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    os.chmod(path, 0o600)
    listeners = await trio.open_tcp_listeners(port, host="127.0.0.1")
    methods = AdminMethods(node)
    task_status.started(listeners[0].socket.getsockname()[1])

    async def handle(stream: trio.SocketStream) -> None:
        await _serve_conn(stream, methods, token)

    try:
        await trio.serve_listeners(handle, listeners)
    finally:
        path.unlink(missing_ok=True)


async def _serve_conn(stream: trio.SocketStream, methods: AdminMethods, token: str | None = None) -> None:
    buf = bytearray()
    async with stream:
        while True:
            try:
                chunk = await stream.receive_some(1 << 20)
            except trio.BrokenResourceError:
                return
            if not chunk:
                return
            buf += chunk
            if len(buf) > MAX_REQUEST:
                await _send(stream, _error(None, INVALID_REQUEST, f"request larger than {MAX_REQUEST} bytes"))
                return
            while b"\n" in buf:
                line, _, rest = bytes(buf).partition(b"\n")
                buf = bytearray(rest)
                reply = await _handle_line(line, methods, token)
                try:
                    await _send(stream, reply)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    return


async def _send(stream: trio.SocketStream, obj: dict[str, Any]) -> None:
    await stream.send_all(json.dumps(obj, default=_json_default).encode() + b"\n")


def _json_default(o: Any) -> Any:
    if isinstance(o, bytes):
        return o.hex()
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    if hasattr(o, "__dataclass_fields__"):
        return asdict(o)
    return str(o)


def _error(rid: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}


async def _handle_line(line: bytes, methods: AdminMethods, token: str | None = None) -> dict[str, Any]:
    try:
        req = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _error(None, PARSE_ERROR, f"not JSON: {exc}")
    if not isinstance(req, dict) or not isinstance(req.get("method"), str):
        return _error(None, INVALID_REQUEST, "expected an object with a string 'method'")
    rid = req.get("id")
    if token is not None:
        given = req.get("token")
        if not isinstance(given, str) or not hmac.compare_digest(given, token):
            return _error(rid, UNAUTHORIZED, "missing or wrong admin token (see <data_dir>/admin.token)")
    params = req.get("params", {})
    if not isinstance(params, dict):
        return _error(rid, INVALID_PARAMS, "params must be an object")
    fn = methods.lookup(req["method"])
    if fn is None:
        return _error(rid, METHOD_NOT_FOUND, f"unknown method {req['method']!r}")
    try:
        result = await fn(**params)
    except TypeError as exc:
        return _error(rid, INVALID_PARAMS, f"bad params for {req['method']}: {exc}")
    except AdminError as exc:
        return _error(rid, exc.code, str(exc))
    except AttnshareError as exc:
        return _error(rid, APP_ERROR, str(exc))
    except Exception as exc:  # keep the daemon alive; report and log
        log.exception("admin method %s failed", req["method"])
        return _error(rid, INTERNAL, f"internal error: {type(exc).__name__}: {exc}")
    return {"jsonrpc": "2.0", "id": rid, "result": result}


class AdminMethods:
    """Every admin method; names map to ``rpc_<name>`` with dots as underscores."""

    def __init__(self, node: Node) -> None:
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

    async def rpc_peers(self) -> list[dict[str, Any]]:
        out = []
        for p in self.node.p2p.connected_peers():
            good, bad = self.node.peer_stats.get(p.peer_id, (0, 0))
            out.append({**asdict(p), "score": self.node.peer_score(p.peer_id), "messages": good, "refused": bad,
                        "validator": p.peer_id in self.node.genesis.validators})
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
        pid = await self.node.p2p.connect(addr)
        return {"peer_id": pid}

    async def rpc_peer_block(self, peer_id: str) -> dict[str, Any]:
        await self.node.p2p.block_peer(peer_id)
        await self.node.db.run(self.node.store.set_peer_blocked, peer_id, True)
        return {"peer_id": peer_id, "blocked": True}

    async def rpc_peer_unblock(self, peer_id: str) -> dict[str, Any]:
        self.node.p2p.unblock_peer(peer_id)
        await self.node.db.run(self.node.store.set_peer_blocked, peer_id, False)
        return {"peer_id": peer_id, "blocked": False}

    # ---- read-only views over the store (each a single store call in the worker thread)
    async def _db(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await self.node.db.run(lambda: fn(*args, **kw))

    async def rpc_records(self, status: str | None = None, kind: str | None = None,
                          min_score: float | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        if status is not None and status not in ("pending", "shipped", "kept", "committed"):
            raise AdminError("status must be one of pending, shipped, kept, committed", INVALID_PARAMS)
        rows = await self._db(self.node.store.query_records, status=status, kind=kind, min_score=min_score,
                              limit=_limit(limit), offset=max(0, int(offset)))
        return [_record_row(r) for r in rows]

    async def rpc_blocks(self, proposer: str | None = None, since_ms: int | None = None,
                         until_ms: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self._db(self.node.store.list_blocks, proposer=proposer, since_ms=since_ms,
                              until_ms=until_ms, limit=_limit(limit), status="committed")
        return [_block_row(r) for r in rows]

    async def rpc_show(self, cid: str) -> dict[str, Any]:
        from protocol.cid import validate_cid
        from protocol.errors import DecodeError

        try:
            validate_cid(cid)
        except DecodeError as exc:
            raise AdminError(f"not a CID: {exc}", INVALID_PARAMS) from None
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
        out = {"type": "block", **_block_row(row), "header": {
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
        rows = await self._db(self.node.store.search, query, _limit(limit))
        return [_record_row(r) for r in rows]

    async def rpc_explain(self, cid: str, top_k: int = 5) -> dict[str, Any]:
        """Re-score the record in its context (its block, or its local window) and explain."""
        row = await self._db(self.node.store.get_record, cid)
        if row is None:
            raise AdminError(f"no record {cid} here", 404)
        if row.block_id is not None:
            context = [r.record for r in await self._db(self.node.store.block_records, row.block_id)]
            where = f"block {row.block_id}"
        else:
            around = await self._db(self.node.store.records_around, cid, 256)
            context = [r.record for r in around]
            where = "local window"
        idx = next((i for i, r in enumerate(context) if r.cid == cid), None)
        if idx is None:
            context, idx, where = [row.record], 0, "alone"
        exp = await self.node.model.run(self.node.scorer.explain, context, idx, int(top_k))
        return {"cid": cid, "context": where, "context_size": len(context), "status": row.status,
                "stored_score": row.score, **exp}

    async def rpc_votes(self, voter: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        from protocol.vote import decode_signed_vote

        rows = await self._db(self.node.store.list_votes, voter=voter, limit=_limit(limit))
        return [_vote(decode_signed_vote(r.vote)) for r in rows]

    async def rpc_evidence(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self._db(self.node.store.list_evidence, _limit(limit))
        return [{"id": r.id, "kind": r.kind, "offender": r.offender, "proposer": r.proposer, "seq": r.seq,
                 "found_ms": r.found_ms, "body": r.body.hex()} for r in rows]

    async def rpc_metrics(self) -> str:
        return self.node.metrics.exposition().decode()


# ---------------------------------------------------------------------- client
class AdminClient:
    """Blocking JSON-RPC client for the CLI."""

    def __init__(self, data_dir: Path, timeout: float = 60.0, tcp_port: int | None = None) -> None:
        self.path = Path(data_dir) / "admin.sock"
        self.data_dir = Path(data_dir)
        self.timeout = timeout
        self.tcp_port = tcp_port
        self._id = 0

    def _check_socket(self) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            raise AdminError(f"the daemon is not running (no socket at {self.path})") from None
        if not stat.S_ISSOCK(st.st_mode):
            raise AdminError(f"{self.path} is not a socket: not an attnshare admin socket")
        if st.st_uid != os.getuid():
            raise AdminError(f"{self.path} belongs to uid {st.st_uid}, not to you: refusing to talk to it")

    def call(self, method: str, **params: Any) -> Any:
        self._id += 1
        msg: dict[str, Any] = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": params}
        if self.tcp_port is not None:
            try:
                msg["token"] = (self.data_dir / TOKEN_FILE).read_text().strip()
            except FileNotFoundError:
                raise AdminError(f"no admin token in {self.data_dir}: is the TCP admin port enabled?") from None
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            where: Any = ("127.0.0.1", self.tcp_port)
        else:
            self._check_socket()
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            where = str(self.path)
        req = json.dumps(msg).encode() + b"\n"
        s.settimeout(self.timeout)
        try:
            try:
                s.connect(where)
            except (ConnectionRefusedError, FileNotFoundError):
                raise AdminError(f"the daemon is not running (nothing listens on {where})") from None
            s.sendall(req)
            buf = bytearray()
            while not buf.endswith(b"\n"):
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise AdminError("the daemon closed the connection without answering")
                buf += chunk
        except TimeoutError:
            raise AdminError(f"the daemon did not answer within {self.timeout:.0f}s") from None
        except OSError as exc:  # reset or broken pipe: the daemon died mid-request
            raise AdminError(f"the daemon went away during the request: {exc}") from None
        finally:
            s.close()
        try:
            resp = json.loads(buf)
        except json.JSONDecodeError:
            raise AdminError(f"{self.path} answered something that is not JSON-RPC: not ours?") from None
        if not isinstance(resp, dict) or resp.get("jsonrpc") != "2.0":
            raise AdminError(f"{self.path} answered something that is not JSON-RPC: not ours?")
        if "error" in resp:
            err = resp["error"]
            raise AdminError(str(err.get("message")), int(err.get("code", APP_ERROR)))
        return resp.get("result")


def _limit(limit: Any) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100_000:
        raise AdminError("limit must be an integer in [1, 100000]", INVALID_PARAMS)
    return limit


def _record_row(r: Any) -> dict[str, Any]:
    return {"cid": r.record.cid, "status": r.status, "score": r.score, "block_id": r.block_id,
            "ingested_ms": r.ingested_ms, "record": r.record.to_json()}


def _block_row(r: Any) -> dict[str, Any]:
    return {"block_id": r.block_id, "proposer": r.proposer, "seq": r.seq, "status": r.status,
            "record_count": r.record_count, "created_ms": r.created_ms, "committed_ms": r.committed_ms,
            "payload_bytes": len(r.payload) if r.payload is not None else None}


def _vote(sv: Any) -> dict[str, Any]:
    v = sv.vote
    return {"block_id": v.block_id, "proposer": v.proposer, "seq": v.seq, "voter": v.voter,
            "decision": v.decision.name, "reason": v.reason.name}
