"""Prometheus exposition over loopback."""

from __future__ import annotations

import trio

from node.metrics import Metrics
from node.metrics_http import serve_metrics


async def _get(port: int, path: str) -> bytes:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    async with stream:
        await stream.send_all(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        buf = b""
        while chunk := await stream.receive_some(65536):
            buf += chunk
    return buf


async def test_metrics_endpoint_serves_counters(nursery):
    m = Metrics()
    m.records_ingested.inc(7)
    m.commit_latency.observe(0.12)
    m.votes_cast.labels("accept").inc()
    port = await nursery.start(serve_metrics, m, 0)
    with trio.fail_after(10):
        body = await _get(port, "/metrics")
    assert body.startswith(b"HTTP/1.1 200 OK")
    assert b"attnshare_records_ingested_total 7.0" in body
    assert b"attnshare_commit_latency_seconds_bucket" in body
    assert b'attnshare_votes_cast_total{decision="accept"} 1.0' in body
    with trio.fail_after(10):
        assert (await _get(port, "/nope")).startswith(b"HTTP/1.1 404")


async def test_idle_scrapers_are_bounded_and_cut_off(nursery, autojump_clock):
    from node.metrics_http import MAX_CONNECTIONS, REQUEST_TIMEOUT_S

    port = await nursery.start(serve_metrics, Metrics(), 0)
    idle = [await trio.open_tcp_stream("127.0.0.1", port) for _ in range(MAX_CONNECTIONS)]
    await trio.testing.wait_all_tasks_blocked()
    assert await _get(port, "/metrics") == b""  # over the cap: closed unanswered
    await trio.sleep(REQUEST_TIMEOUT_S + 1)  # the silent ones are cut off
    for s in idle:
        assert await s.receive_some(10) == b""
        await s.aclose()
    assert (await _get(port, "/metrics")).startswith(b"HTTP/1.1 200 OK")
