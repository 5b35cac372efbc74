"""The admin servers: the Unix socket (always) and TCP on 127.0.0.1 (optional), on trio.

Theory of operation
-------------------
Both transports run the same connection loop: bytes go through a
:class:`~node.admin.wire.LineSplitter`, each complete line through
:func:`~node.admin.wire.parse_request`, each request to one
:class:`~node.admin.methods.AdminMethods` method, and one response line goes
back. Every limit is an :class:`~node.admin.wire.AdminParams` field:
connections at once per transport, bytes buffered per connection, silence
allowed between bytes, time to write a response. Nothing a client sends can
raise out of the loop: parse failures are answered, method failures are
answered (and logged if unexpected), transport failures end that connection.

The Unix socket is created under umask 0177 (so it is 0600 from its first
moment) inside the 0700 data dir: only the node's user can connect. TCP
requires the hello line with the token (see :mod:`node.admin.wire`) before
anything else is read; the token is written to ``<data_dir>/admin.token``
through a fresh 0600 file renamed into place, so it is never readable by
anyone else, not even for an instant.

A TCP connection takes one of the ``max_tcp_connections`` slots only after
a valid hello (review 7, finding 5: taken at accept, 8 silent connections
from any local user, who needs no token to connect to 127.0.0.1, locked the
operator out). Until then it is one of at most :data:`MAX_PENDING_HELLOS`
connections waiting for their hello; at that cap the oldest waiting one is
closed for the newcomer, as the libp2p edge does with handshakes, so silent
connections cost a bounded set of sockets and never a slot.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

import trio

from node.admin.methods import AdminBackend, AdminMethods
from node.admin.wire import (
    APP_ERROR,
    INTERNAL,
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    TOKEN_FILE,
    UNAUTHORIZED,
    AdminError,
    AdminParams,
    LineSplitter,
    LineTooLong,
    Request,
    check_hello,
    encode,
    error,
    parse_request,
    unix_address,
)
from protocol.errors import AttnshareError

log = logging.getLogger("attnshare.admin")

_RECV = 64 << 10
#: TCP connections accepted and still waiting for their hello (no slot yet)
MAX_PENDING_HELLOS = 64


class ConnectionWatch:
    """How many connections a transport is serving now; tasks can wait for a count.

    The servers update it as a connection takes or gives back its slot (``active``),
    or starts or stops waiting for its TCP hello (``pending``), so a caller (a
    test, a status page) learns of it by an event, not by sleeping.
    """

    def __init__(self) -> None:
        self.active = 0
        self.pending = 0
        self._changed = trio.lowlevel.ParkingLot()

    def _set(self, active: int) -> None:
        self.active = active
        self._changed.unpark_all()

    def _set_pending(self, pending: int) -> None:
        self.pending = pending
        self._changed.unpark_all()

    async def wait_active(self, count: int) -> None:
        """Return once at least ``count`` connections hold a slot."""
        while self.active < count:
            await self._changed.park()

    async def wait_pending(self, count: int) -> None:
        """Return once at least ``count`` TCP connections are waiting for their hello."""
        while self.pending < count:
            await self._changed.park()


async def serve_admin(node: AdminBackend, params: AdminParams | None = None, *,
                      watch: ConnectionWatch | None = None,
                      task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
    """Serve the admin API on ``<data_dir>/admin.sock`` until cancelled."""
    params = params or AdminParams()
    path: Path = node.config.admin_socket
    _remove(path)  # we hold the data-dir lock, so any socket here is a stale one of ours
    sock = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        with unix_address(path) as where:
            await sock.bind(where)
    finally:
        os.umask(old_umask)
    os.chmod(path, 0o600)
    sock.listen(16)
    listener = trio.SocketListener(sock)
    conn = _Connections(AdminMethods(node), params, params.max_unix_connections, token=None,
                        watch=watch)
    try:
        async with listener, trio.open_nursery() as nursery:
            task_status.started()
            while True:
                stream = await listener.accept()
                nursery.start_soon(conn.serve, stream)
    finally:
        _remove(path)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def write_token(data_dir: Path) -> str:
    """A fresh random token in ``<data_dir>/admin.token``, mode 0600 from creation."""
    token = secrets.token_hex(32)
    path = data_dir / TOKEN_FILE
    tmp = data_dir / f".{TOKEN_FILE}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(token + "\n")
        os.replace(tmp, path)  # atomic: readers see the old file or the whole new one
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return token


async def serve_admin_tcp(
    node: AdminBackend, port: int, params: AdminParams | None = None, *,
    watch: ConnectionWatch | None = None,
    task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
) -> None:
    """The optional TCP admin endpoint: 127.0.0.1 only, hello line with the token first."""
    params = params or AdminParams()
    data_dir: Path = node.config.data_dir
    token = write_token(data_dir)
    listeners = await trio.open_tcp_listeners(port, host="127.0.0.1")
    conn = _Connections(AdminMethods(node), params, params.max_tcp_connections, token=token,
                        watch=watch)
    task_status.started(listeners[0].socket.getsockname()[1])
    try:
        await trio.serve_listeners(conn.serve, listeners)
    finally:
        _remove(data_dir / TOKEN_FILE)


class _Connections:
    """One transport's connections: the shared loop, the connection limit, counters."""

    def __init__(self, methods: AdminMethods, params: AdminParams, limit: int,
                 token: str | None, watch: ConnectionWatch | None = None,
                 max_pending: int = MAX_PENDING_HELLOS) -> None:
        self.methods = methods
        self.watch = watch or ConnectionWatch()
        self.params = params
        self.token = token
        self._slots = trio.CapacityLimiter(limit)
        self.refused = 0
        # Connections waiting for their hello, oldest first (dicts keep insertion order).
        self._pending: dict[object, trio.CancelScope] = {}
        self.max_pending = max_pending
        self.evicted = 0

    async def serve(self, stream: trio.abc.Stream) -> None:
        async with stream:
            try:
                first = b""
                if self.token is not None:
                    # Authenticate before taking a slot: a client without the token never holds one.
                    rest = await self._greet(stream)
                    if rest is None:
                        return
                    first = rest
                await self._serve_in_slot(stream, first)
            except (trio.BrokenResourceError, trio.ClosedResourceError, trio.TooSlowError):
                pass  # the client went away, or stopped reading its answers

    async def _serve_in_slot(self, stream: trio.abc.Stream, first: bytes) -> None:
        try:
            self._slots.acquire_nowait()
        except trio.WouldBlock:
            self.refused += 1
            await self._send(stream, error(None, INVALID_REQUEST, "too many admin connections"))
            return
        self.watch._set(self.watch.active + 1)
        try:
            await self._serve(stream, first)
        finally:
            self._slots.release()
            self.watch._set(self.watch.active - 1)

    async def _greet(self, stream: trio.abc.Stream) -> bytes | None:
        """:meth:`_hello` as one of at most ``max_pending`` waiting connections; None if refused or evicted."""
        if len(self._pending) >= self.max_pending:
            # The oldest has had the longest to say hello; a newcomer (the operator, say) gets its place.
            oldest = next(iter(self._pending))
            self._pending.pop(oldest).cancel()
            self.evicted += 1
        key = object()
        scope = self._pending[key] = trio.CancelScope()
        self.watch._set_pending(len(self._pending))
        try:
            with scope:
                return await self._hello(stream)
            return None  # evicted: the caller closes the stream
        finally:
            self._pending.pop(key, None)
            self.watch._set_pending(len(self._pending))

    async def _serve(self, stream: trio.abc.Stream, first: bytes) -> None:
        p = self.params
        lines = LineSplitter(p.max_request_bytes)
        if first:
            try:
                batch = lines.feed(first)
            except LineTooLong as exc:
                await self._send(stream, error(None, INVALID_REQUEST, str(exc)))
                return
            for line in batch:
                await self._send(stream, await self._answer(line))
        while True:
            chunk = b""
            with trio.move_on_after(p.idle_timeout_s):
                chunk = await stream.receive_some(_RECV)
                if not chunk:
                    return
            if not chunk:
                return  # idle too long
            try:
                batch = lines.feed(chunk)
            except LineTooLong as exc:
                await self._send(stream, error(None, INVALID_REQUEST, str(exc)))
                return
            for line in batch:
                await self._send(stream, await self._answer(line))

    async def _hello(self, stream: trio.abc.Stream) -> bytes | None:
        """The bytes after a valid hello line, or None (refused, answered)."""
        assert self.token is not None
        p = self.params
        buf = bytearray()
        with trio.move_on_after(p.hello_timeout_s):
            while b"\n" not in buf and len(buf) <= p.max_hello_bytes:
                chunk = await stream.receive_some(p.max_hello_bytes + 1)
                if not chunk:
                    return None
                buf += chunk
        line, nl, rest = bytes(buf).partition(b"\n")
        if not nl or len(line) > p.max_hello_bytes or not check_hello(line, self.token):
            await self._send(stream, error(None, UNAUTHORIZED,
                                           "expected the attnshare admin hello with the token "
                                           "from <data_dir>/admin.token"))
            return None
        return rest

    async def _send(self, stream: trio.abc.Stream, obj: dict[str, Any]) -> None:
        try:
            data = encode(obj)
        except (ValueError, TypeError, RecursionError) as exc:
            log.error("admin response not serializable: %s", exc)
            data = encode(error(obj.get("id"), INTERNAL, "internal error: response not serializable"))
        with trio.fail_after(self.params.send_timeout_s):
            await stream.send_all(data)

    async def _answer(self, line: bytes) -> dict[str, Any]:
        if len(line) >= self.params.thread_parse_bytes:
            parsed = await trio.to_thread.run_sync(parse_request, line)
        else:
            parsed = parse_request(line)
        if not isinstance(parsed, Request):
            return parsed
        return await call(self.methods, parsed)


async def call(methods: AdminMethods, req: Request) -> dict[str, Any]:
    """Run one request; every failure becomes a JSON-RPC error object."""
    rid = req.id
    fn = methods.lookup(req.method)
    if fn is None:
        return error(rid, METHOD_NOT_FOUND, f"unknown method {req.method[:100]!r}")
    try:
        result = await fn(**req.params)
    except TypeError as exc:
        return error(rid, INVALID_PARAMS, f"bad params for {req.method}: {exc}")
    except UnicodeEncodeError:
        # Methods check their text params; this is the net for one that does not. Every string
        # the node builds is valid, so a lone surrogate came from the request's JSON.
        return error(rid, INVALID_PARAMS, f"bad params for {req.method}: text with a lone surrogate")
    except AdminError as exc:
        return error(rid, exc.code, str(exc))
    except AttnshareError as exc:
        return error(rid, APP_ERROR, str(exc))
    except Exception as exc:  # keep the daemon alive; report and log
        log.exception("admin method %s failed", req.method)
        return error(rid, INTERNAL, f"internal error: {type(exc).__name__}: {exc}")
    return {"jsonrpc": "2.0", "id": rid, "result": result}
