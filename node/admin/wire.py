"""The admin API's framing, parsing and limits: pure code shared by client and server.

Theory of operation
-------------------
JSON-RPC 2.0, one JSON object per line in each direction, over the Unix socket
``<data_dir>/admin.sock`` (mode 0600) or, optionally, TCP on 127.0.0.1.

Everything a request can do to the parser is bounded and answered, never
raised (finding 7):

* lines are split incrementally (:class:`LineSplitter`, linear in the bytes
  received); a line over ``max_request_bytes`` ends the connection with an
  error;
* :func:`parse_request` maps *every* decoding failure to a JSON-RPC error:
  invalid UTF-8, bad JSON, nesting deeper than the decoder's recursion limit
  (``"[" * 100000`` raises RecursionError in ``json``), integers over
  Python's 4300-digit limit (ValueError);
* a request must look like our own client's: an object with
  ``"jsonrpc": "2.0"``, an integer ``id``, a string ``method`` and an object
  ``params`` (or none).

TCP adds a hello line that must come first, within ``hello_timeout_s`` and
``max_hello_bytes``: ``ATTNSHARE-ADMIN/1 <token>``. A browser cannot produce
it (its requests start with ``GET``/``POST ... HTTP/1.1``), so a web page's
text/plain POST to 127.0.0.1 is refused at its first line, before any JSON is
parsed, and nothing big is buffered before authentication. The token is
compared as bytes in constant time, so a non-ASCII token is just wrong.
"""

from __future__ import annotations

import hmac
import json
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from protocol.errors import ConfigError, LocalError

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, INTERNAL = (
    -32700, -32600, -32601, -32602, -32603)
UNAUTHORIZED = -32001
APP_ERROR = 1

TOKEN_FILE = "admin.token"
HELLO_PREFIX = b"ATTNSHARE-ADMIN/1 "


@dataclass(frozen=True, slots=True)
class AdminParams:
    """Limits of the admin API; each with its value and what happens at it.

    Fields:
        max_request_bytes: longest request line (an ``ingest`` of many
            records fits). Longer: error "request larger than ...", connection closed.
        max_hello_bytes: longest TCP hello line. Longer: refused, closed.
        hello_timeout_s: time for a TCP client to send its hello. Then: closed.
        idle_timeout_s: time a connection may stay silent between bytes. Then: closed.
        send_timeout_s: time to write one response to a client that does not read. Then: closed.
        max_tcp_connections: TCP connections at once; one more is answered
            "too many connections" and closed.
        max_unix_connections: the same for the Unix socket.
        thread_parse_bytes: requests at least this long are parsed in a worker
            thread, so a big ingest never stalls the event loop.
    """

    max_request_bytes: int = 64 << 20
    max_hello_bytes: int = 256
    hello_timeout_s: float = 5.0
    idle_timeout_s: float = 60.0
    send_timeout_s: float = 30.0
    max_tcp_connections: int = 8
    max_unix_connections: int = 32
    thread_parse_bytes: int = 1 << 20

    @classmethod
    def default(cls) -> AdminParams:
        return cls()

    def validate(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
                raise ConfigError(f"admin.{f.name}: must be a positive number")
        if self.max_hello_bytes < len(HELLO_PREFIX) + 64:
            raise ConfigError("admin.max_hello_bytes: too small for the hello line")


class AdminError(LocalError):
    """An admin request failed; ``code`` follows JSON-RPC."""

    def __init__(self, message: str, code: int = APP_ERROR) -> None:
        super().__init__(message)
        self.code = code


class LineTooLong(Exception):
    """More than the limit buffered without a newline."""


class LineSplitter:
    """Splits a byte stream into lines in linear time, holding at most ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already known to hold no newline

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add ``chunk``; return the complete lines (without ``\\n``). Raises LineTooLong."""
        self._buf += chunk
        lines = []
        start = 0
        while True:
            nl = self._buf.find(b"\n", max(start, self._scanned))
            if nl < 0:
                break
            lines.append(bytes(self._buf[start:nl]))
            start = nl + 1
            self._scanned = start
        if start:
            del self._buf[:start]  # one move per chunk, not per line
        self._scanned = len(self._buf)
        if len(self._buf) > self._limit:
            raise LineTooLong(f"request larger than {self._limit} bytes")
        return lines

    def pending(self) -> int:
        return len(self._buf)


@dataclass(frozen=True, slots=True)
class Request:
    """A well-formed request: id, method and params."""

    id: int
    method: str
    params: dict[str, Any]


def error(rid: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "error": {"code": code, "message": message}}


def parse_request(line: bytes) -> Request | dict[str, Any]:
    """A :class:`Request`, or the JSON-RPC error object to answer with. Never raises."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error(None, PARSE_ERROR, f"not UTF-8 at byte {exc.start}")
    try:
        req = json.loads(text)
    except RecursionError:
        return error(None, PARSE_ERROR, "not JSON: nested too deeply")
    except ValueError as exc:  # JSONDecodeError, and ints over the 4300-digit limit
        return error(None, PARSE_ERROR, f"not JSON: {str(exc)[:200]}")
    if not isinstance(req, dict):
        return error(None, INVALID_REQUEST, "expected a JSON-RPC 2.0 request object")
    rid = req.get("id")
    if not isinstance(rid, int) or isinstance(rid, bool) or not 0 <= rid < 1 << 53:
        return error(None, INVALID_REQUEST, "expected an integer 'id'")
    if req.get("jsonrpc") != "2.0" or not isinstance(req.get("method"), str):
        return error(rid, INVALID_REQUEST, "expected 'jsonrpc': '2.0' and a string 'method'")
    params = req.get("params", {})
    if not isinstance(params, dict):
        return error(rid, INVALID_PARAMS, "params must be an object")
    return Request(rid, req["method"], params)


def hello_line(token: str) -> bytes:
    """The first line a TCP client sends."""
    return HELLO_PREFIX + token.encode("ascii") + b"\n"


def check_hello(line: bytes, token: str) -> bool:
    """True if ``line`` is our hello carrying ``token`` (constant-time compare, bytes)."""
    if not line.startswith(HELLO_PREFIX):
        return False
    return hmac.compare_digest(line[len(HELLO_PREFIX):].strip(), token.encode("ascii"))


def encode(obj: dict[str, Any]) -> bytes:
    """One response line."""
    return json.dumps(obj, default=_json_default).encode() + b"\n"


def _json_default(o: Any) -> Any:
    if isinstance(o, bytes):
        return o.hex()
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    if hasattr(o, "__dataclass_fields__"):
        return asdict(o)
    return str(o)


#: the longest path a Unix socket address holds on Linux (sun_path is 108 bytes, NUL included)
SUN_PATH_MAX = 107


@contextmanager
def unix_address(path: Path) -> Iterator[str]:
    """An address for the Unix socket at ``path`` that fits ``sun_path``, for bind or connect.

    A data dir about 95 characters deep made the daemon die at start ("AF_UNIX path too
    long") and left the CLI unable to reach it. A longer path is reached through a
    descriptor of its directory, ``/proc/self/fd/N/admin.sock``, which bind and connect
    resolve like any path (Linux); the descriptor is closed when the block ends.
    """
    text = os.fspath(path)
    if len(os.fsencode(text)) <= SUN_PATH_MAX:
        yield text
        return
    try:
        fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise AdminError(f"cannot open {path.parent}: {exc.strerror}") from None
    try:
        short = f"/proc/self/fd/{fd}/{path.name}"
        if len(os.fsencode(short)) > SUN_PATH_MAX or not os.path.isdir(f"/proc/self/fd/{fd}"):
            raise AdminError(f"the admin socket path {text!r} is {len(os.fsencode(text))} bytes, over the "
                             f"{SUN_PATH_MAX} a Unix socket takes, and this system has no /proc/self/fd "
                             "to shorten it: use a shorter data dir")
        yield short
    finally:
        os.close(fd)
