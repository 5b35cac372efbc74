"""The admin API's parser, framing and servers against hostile input (finding 7), without a node."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import trio

from node.admin.client import AdminClient
from node.admin.server import ConnectionWatch, serve_admin, serve_admin_tcp, write_token
from node.admin.wire import (
    INVALID_REQUEST,
    PARSE_ERROR,
    SUN_PATH_MAX,
    UNAUTHORIZED,
    AdminError,
    AdminParams,
    LineSplitter,
    LineTooLong,
    Request,
    check_hello,
    hello_line,
    parse_request,
)


def rpc(method: str = "status", rid: int = 1, **params: Any) -> bytes:
    import json

    return json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}).encode()


# ---------------------------------------------------------------------- parsing
@pytest.mark.parametrize(("line", "code"), [
    (b"[" * 100_000, PARSE_ERROR),  # RecursionError inside json
    (b'{"jsonrpc": "2.0", "id": 1, "method": "status", "params": {"x": ' + b"9" * 5000 + b"}}",
     PARSE_ERROR),  # ValueError: over the int digit limit
    (b"\xff\xfe{}", PARSE_ERROR),
    (b"not json", PARSE_ERROR),
    (b"[1, 2]", INVALID_REQUEST),
    (b'{"method": "status"}', INVALID_REQUEST),  # no jsonrpc, no id: not our client
    (b'{"jsonrpc": "2.0", "id": "1", "method": "status"}', INVALID_REQUEST),
    (b'{"jsonrpc": "1.0", "id": 1, "method": "status"}', INVALID_REQUEST),
])
def test_every_bad_line_becomes_an_error_object(line: bytes, code: int) -> None:
    out = parse_request(line)
    assert isinstance(out, dict)
    assert out["error"]["code"] == code


def test_a_good_line_parses() -> None:
    assert parse_request(rpc("records", rid=7, limit=5)) == Request(7, "records", {"limit": 5})


def test_line_splitter_across_chunks_and_limit() -> None:
    s = LineSplitter(limit=10)
    assert s.feed(b"ab") == []
    assert s.feed(b"c\nde\n\nf") == [b"abc", b"de", b""]
    assert s.feed(b"g\n") == [b"fg"]
    with pytest.raises(LineTooLong):
        s.feed(b"x" * 11)


def test_line_splitter_is_linear() -> None:
    """The old loop re-scanned and copied the whole buffer per line: quadratic."""
    s = LineSplitter(limit=64 << 20)
    line = b"x" * 30 + b"\n"
    start = time.perf_counter()
    n = 0
    for _ in range(2000):  # 2000 chunks of 1000 lines each
        n += len(s.feed(line * 1000))
    assert n == 2_000_000
    big = LineSplitter(limit=64 << 20)
    for _ in range(1024):  # one 32 MiB line in 32 KiB chunks
        assert big.feed(b"y" * 32768) == []
    assert len(big.feed(b"\n")[0]) == 32 << 20
    assert time.perf_counter() - start < 10.0


def test_hello_compares_bytes_so_a_non_ascii_token_is_just_wrong() -> None:
    token = "ab" * 32
    assert check_hello(hello_line(token).strip(), token)
    assert not check_hello("ATTNSHARE-ADMIN/1 ü".encode(), token)
    assert not check_hello(b"ATTNSHARE-ADMIN/1 \xff\xfe", token)
    assert not check_hello(b"POST / HTTP/1.1", token)


def test_params_validate() -> None:
    AdminParams().validate()
    from protocol.errors import ConfigError

    with pytest.raises(ConfigError):
        AdminParams(max_tcp_connections=0).validate()


def test_client_imports_without_trio() -> None:
    code = ("import sys; import node.admin; from node.admin import AdminClient, AdminError; "
            "bad = [m for m in ('trio', 'node.core.daemon', 'libp2p', 'torch') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stdout + out.stderr


def test_token_file_is_0600_and_replaced_atomically(tmp_path: Path) -> None:
    (tmp_path / "admin.token").write_text("old\n")
    os.chmod(tmp_path / "admin.token", 0o644)
    token = write_token(tmp_path)
    st = os.stat(tmp_path / "admin.token")
    assert stat.S_IMODE(st.st_mode) == 0o600  # a fresh file, not the old one's mode
    assert (tmp_path / "admin.token").read_text().strip() == token
    assert sorted(p.name for p in tmp_path.iterdir()) == ["admin.token"]


# ---------------------------------------------------------------------- servers
@dataclass
class _Status:
    peer_id: str = "me"


class FakeNode:
    def __init__(self, data_dir: Path) -> None:
        self.config = SimpleNamespace(data_dir=data_dir, admin_socket=data_dir / "admin.sock")
        self.me = "me"

    def status(self) -> _Status:
        return _Status()


SMALL = AdminParams(max_tcp_connections=2, max_unix_connections=2, idle_timeout_s=0.5,
                    hello_timeout_s=0.5, max_request_bytes=1 << 20)


async def _talk(port: int, data: bytes, *, read: bool = True) -> bytes:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(data)
        if not read:
            return b""
        buf = b""
        with trio.fail_after(5):
            while not buf.endswith(b"\n"):
                chunk = await stream.receive_some(1 << 16)
                if not chunk:
                    break
                buf += chunk
        return buf


async def _status_ok(d: Path, port: int | None = None) -> None:
    client = AdminClient(d, timeout=1.0, tcp_port=port)
    start = time.monotonic()
    assert (await trio.to_thread.run_sync(client.call, "status"))["peer_id"] == "me"
    assert time.monotonic() - start < 1.0


async def test_tcp_refuses_browsers_bad_tokens_and_hostile_json(tmp_path: Path) -> None:
    node = FakeNode(tmp_path)
    async with trio.open_nursery() as n:
        port = await n.start(lambda task_status: serve_admin_tcp(
            node, 0, params=SMALL, task_status=task_status))
        token = (tmp_path / "admin.token").read_text().strip()
        # A browser's text/plain POST, carrying a perfect JSON-RPC body.
        post = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n\r\n" + rpc())
        assert b'"code": %d' % UNAUTHORIZED in await _talk(port, post)
        assert b"-32001" in await _talk(port, "ATTNSHARE-ADMIN/1 ü\n".encode() + rpc() + b"\n")
        hello = hello_line(token)
        assert b"-32700" in await _talk(port, hello + b"[" * 100_000 + b"\n")
        big_int = b'{"jsonrpc": "2.0", "id": 1, "method": "status", "params": {"x": ' + b"9" * 5000 + b"}}\n"
        assert b"-32700" in await _talk(port, hello + big_int)
        assert b"larger than" in await _talk(port, hello + b"x" * (SMALL.max_request_bytes + 10))
        assert b'"result"' in await _talk(port, hello + rpc() + b"\n")
        await _status_ok(tmp_path, port)
        n.cancel_scope.cancel()
    assert not (tmp_path / "admin.token").exists()


async def test_tcp_connection_limit_and_idle_timeout(tmp_path: Path) -> None:
    node = FakeNode(tmp_path)
    watch = ConnectionWatch()
    async with trio.open_nursery() as n:
        port = await n.start(lambda task_status: serve_admin_tcp(
            node, 0, params=SMALL, watch=watch, task_status=task_status))
        token = (tmp_path / "admin.token").read_text().strip()
        idle = [await trio.open_tcp_stream("127.0.0.1", port) for _ in range(3)]
        for s in idle[:2]:
            await s.send_all(hello_line(token))  # authenticated, then silent
        with trio.fail_after(3):  # both hold their slot, the third waits for its hello: events, not sleeps
            await watch.wait_active(2)
            await watch.wait_pending(1)
        assert b"too many" in await _talk(port, hello_line(token) + rpc() + b"\n")
        with trio.fail_after(3):  # all are cut off: idle, and no hello in time
            for s in idle:
                while await s.receive_some(1024):
                    pass
        await _status_ok(tmp_path, port)
        n.cancel_scope.cancel()


async def test_a_data_dir_too_deep_for_a_unix_socket_address_still_serves(tmp_path: Path) -> None:
    # sun_path holds 107 bytes: the daemon died at start ("AF_UNIX path too long") in a data
    # dir about 95 characters deep, e.g. under pytest-xdist's temp dirs. It binds and the CLI
    # connects through /proc/self/fd/N/admin.sock now.
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    assert len(str(deep / "admin.sock")) > SUN_PATH_MAX
    async with trio.open_nursery() as n:
        await n.start(lambda task_status: serve_admin(FakeNode(deep), params=SMALL, task_status=task_status))
        assert stat.S_IMODE(os.stat(deep / "admin.sock").st_mode) == 0o600
        await _status_ok(deep)
        n.cancel_scope.cancel()
    assert not (deep / "admin.sock").exists()


async def test_unix_socket_has_the_same_parser(tmp_path: Path) -> None:
    node = FakeNode(tmp_path)
    async with trio.open_nursery() as n:
        await n.start(lambda task_status: serve_admin(node, params=SMALL, task_status=task_status))
        st = os.stat(tmp_path / "admin.sock")
        assert stat.S_IMODE(st.st_mode) == 0o600
        for bad in (b"[" * 100_000, b'{"jsonrpc": "2.0", "id": 1, "method": "x", "params": {"a": '
                    + b"1" * 5000 + b"}}", b"\xff"):
            sock = trio.socket.socket(trio.socket.AF_UNIX)
            await sock.connect(str(tmp_path / "admin.sock"))
            stream = trio.SocketStream(sock)
            async with stream:
                await stream.send_all(bad + b"\n")
                with trio.fail_after(5):
                    reply = await stream.receive_some(1 << 16)
            assert b"-32700" in reply
        await _status_ok(tmp_path)
        with pytest.raises(AdminError, match="unknown method"):
            await trio.to_thread.run_sync(AdminClient(tmp_path).call, "nope")
        n.cancel_scope.cancel()
