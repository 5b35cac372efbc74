"""Prometheus text exposition on a loopback port, served by trio (no extra thread)."""

from __future__ import annotations

import trio

from node.metrics import Metrics

CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"
#: scrapes served at once; one more is closed unanswered (a scraper retries)
MAX_CONNECTIONS = 8
#: time allowed to send the request head and receive the answer
REQUEST_TIMEOUT_S = 5.0


async def serve_metrics(
    metrics: Metrics, port: int, *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED
) -> None:
    """Serve ``GET /metrics`` on 127.0.0.1:port (loopback only, by design)."""
    listeners = await trio.open_tcp_listeners(port, host="127.0.0.1")
    task_status.started(listeners[0].socket.getsockname()[1])

    slots = trio.CapacityLimiter(MAX_CONNECTIONS)

    async def handle(stream: trio.SocketStream) -> None:
        async with stream:
            try:
                slots.acquire_nowait()
            except trio.WouldBlock:
                return
            try:
                await serve_one(stream)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                pass  # the scraper went away
            finally:
                slots.release()

    async def serve_one(stream: trio.SocketStream) -> None:
        with trio.move_on_after(REQUEST_TIMEOUT_S):
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 8192:
                chunk = await stream.receive_some(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0].split()
            if len(line) >= 2 and line[0] == b"GET" and line[1] in (b"/metrics", b"/"):
                body = metrics.exposition()
                status = b"200 OK"
            else:
                body, status = b"not found\n", b"404 Not Found"
            await stream.send_all(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: " + CONTENT_TYPE
                + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
            )

    await trio.serve_listeners(handle, listeners)
