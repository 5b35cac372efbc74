"""Review 7, finding 5: unauthenticated TCP connections took the admin API's connection slots.

``_Connections.serve`` (node/admin/server.py) took one of ``max_tcp_connections`` (8) slots
*before* the hello line was checked, and held it for up to ``hello_timeout_s`` (5 s) while the
client sent nothing. Any local user (the port is 127.0.0.1, no token needed) who kept 8 silent
connections open, reopening each as it was closed, locked the operator (who has the token) out:
"too many admin connections". Now a slot is taken only after a valid hello, and connections
still waiting for theirs are bounded apart (``MAX_PENDING_HELLOS``), the oldest closed at the cap.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import trio

from node.admin.server import MAX_PENDING_HELLOS, ConnectionWatch, serve_admin_tcp
from node.admin.wire import AdminParams, hello_line
from tests.node.test_admin import FakeNode
from tests.node.test_admin import _talk as _call

STATUS = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "status", "params": {}}).encode() + b"\n"


async def _accepted(watch: ConnectionWatch, count: int) -> None:
    """Until ``count`` connections are in the server's hands, with a slot or waiting for their hello.

    (``pending`` read with getattr: before the fix the silent ones held slots, and this test
    failed on the operator's answer rather than here.)
    """
    with trio.fail_after(3):
        while watch.active + getattr(watch, "pending", 0) < count:
            await watch._changed.park()


async def _closed(stream: Any) -> bool:
    with trio.move_on_after(3):
        try:
            while await stream.receive_some(1024):
                pass
        except trio.BrokenResourceError:
            pass
        return True
    return False


async def test_silent_connections_without_the_token_do_not_lock_the_operator_out(tmp_path: Path) -> None:
    node = FakeNode(tmp_path)
    watch = ConnectionWatch()
    params = AdminParams()  # the defaults: 8 TCP connections, 5 s for the hello
    async with trio.open_nursery() as n:
        port = await n.start(lambda task_status: serve_admin_tcp(node, 0, params=params, watch=watch,
                                                                 task_status=task_status))
        token = (tmp_path / "admin.token").read_text().strip()
        # The attacker: another local user, no token, sends nothing at all.
        silent: list[Any] = [await trio.open_tcp_stream("127.0.0.1", port)
                             for _ in range(params.max_tcp_connections)]
        await _accepted(watch, params.max_tcp_connections)
        answer = await _call(port, hello_line(token) + STATUS)
        for s in silent:
            await s.aclose()
        n.cancel_scope.cancel()
    # Before the fix: the operator, with the right token, was answered "too many admin connections".
    assert b'"result"' in answer, answer.decode()


async def test_connections_waiting_for_their_hello_are_bounded_oldest_first(tmp_path: Path) -> None:
    node = FakeNode(tmp_path)
    watch = ConnectionWatch()
    params = AdminParams(max_tcp_connections=2)
    async with trio.open_nursery() as n:
        port = await n.start(lambda task_status: serve_admin_tcp(node, 0, params=params, watch=watch,
                                                                 task_status=task_status))
        token = (tmp_path / "admin.token").read_text().strip()
        silent: list[Any] = []
        for _ in range(MAX_PENDING_HELLOS):
            silent.append(await trio.open_tcp_stream("127.0.0.1", port))
        with trio.fail_after(3):
            await watch.wait_pending(MAX_PENDING_HELLOS)
        assert watch.active == 0  # none of them holds a slot
        newcomer = await trio.open_tcp_stream("127.0.0.1", port)
        assert await _closed(silent[0])  # the oldest waiting one made room, long before its 5 s
        assert watch.pending == MAX_PENDING_HELLOS
        # The slots still bound the authenticated connections.
        held = [await trio.open_tcp_stream("127.0.0.1", port) for _ in range(params.max_tcp_connections)]
        for s in held:
            await s.send_all(hello_line(token) + STATUS)
            with trio.fail_after(3):
                assert b'"result"' in await s.receive_some(1 << 16)
        assert b"too many admin connections" in await _call(port, hello_line(token) + STATUS)
        for s in [*silent, newcomer, *held]:
            await s.aclose()
        n.cancel_scope.cancel()
