"""Request/response over libp2p streams, one new stream per request, plus ping.

Wire format. Each side sends exactly one length-prefixed frame; the length
is checked against a cap before any body byte is read or buffered::

    request:   u32 length (big-endian) | body
    response:  u8 status | u32 length | body
               status 0: ok, body is the handler's answer
               status 1: error, body is a short UTF-8 reason (<= 512 bytes)

The responder reads one request, runs the handler, writes one response and
closes the stream. A handler that raises is answered with an error frame;
nothing a handler or a peer does can take the host down.

Limits (finding 11: one peer must not deny sync to all). Inbound requests are
served at most ``budget.max_open_requests`` per peer and
``max_concurrent_requests`` in all; beyond either the request is answered
"busy" at once rather than queued, so a flood of streams cannot pile up
tasks (a peer over its own limit is counted, not blamed: an honest one may
just be catching up fast). The request frame must
arrive within ``request_read_timeout_s`` (a peer trickling bytes holds a slot
no longer than that, and it costs the peer ``penalty_over_budget`` of standing)
and the whole exchange within ``request_timeout_s``. A request over
``max_request_bytes``, or one the handler refuses as malformed (a RemoteError),
costs the peer standing. Strangers share their slots fairly
(``Budget.open_request``): each may hold its share among the strangers that
asked lately.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial

import trio
from libp2p.abc import IHost, INetConn, INetStream
from libp2p.custom_types import TProtocol
from libp2p.host.ping import ID as PING_PROTOCOL
from libp2p.host.ping import PING_LENGTH
from libp2p.peer.id import ID
from libp2p.protocol_muxer.multiselect_client import MultiselectClient
from libp2p.protocol_muxer.multiselect_communicator import MultiselectCommunicator

from node.net import inbound
from node.net.budget import Budget
from node.net.config import NetConfig
from node.net.errors import LIBP2P_ERRORS, MessageTooLarge, NetError, PeerBusy, translate_errors
from node.net.pulse import Pulse
from node.net.stats import Meter
from protocol.errors import AttnshareError, RemoteError

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], Awaitable[bytes]]

STATUS_OK = 0
STATUS_ERROR = 1
#: the error text of a request refused for the server's limits (``request`` raises PeerBusy on it)
BUSY = "busy"
MAX_ERROR_TEXT = 512
_FAILURES: tuple[type[BaseException], ...] = (NetError, *LIBP2P_ERRORS)
_CLEANUP_S = 1.0  # bound on closing/resetting a stream, even while cancelled


async def read_exactly(stream: INetStream, n: int) -> bytes:
    """Read exactly ``n`` bytes (stream reads may return less than asked)."""
    buf = bytearray()
    while len(buf) < n:
        chunk = await stream.read(n - len(buf))
        if not chunk:
            raise NetError(f"stream ended after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def printable(text: str) -> str:
    """A peer's text made safe for our logs: control characters (newlines,
    terminal escapes) become U+FFFD, so it cannot forge log lines (finding 14)."""
    return "".join(c if c.isprintable() else "\ufffd" for c in text)


def response_frame(status: int, body: bytes) -> bytes:
    """Encode one response frame."""
    return bytes([status]) + len(body).to_bytes(4, "big") + body


def error_frame(reason: str) -> bytes:
    """Encode an error response, truncating the reason to MAX_ERROR_TEXT bytes."""
    text = reason.encode("utf-8", "replace")[:MAX_ERROR_TEXT]
    return response_frame(STATUS_ERROR, text)


async def _finish(stream: INetStream, *, ok: bool) -> None:
    # Runs on every exit path, cancellation included: a stream left open
    # holds yamux window and a slot in the swarm's stream table.
    with trio.CancelScope(shield=True), trio.move_on_after(_CLEANUP_S):
        try:
            if ok:
                await stream.close()
            else:
                await stream.reset()
        except LIBP2P_ERRORS:
            pass


class StreamServer:
    """Serves registered request handlers."""

    def __init__(self, host: IHost, config: NetConfig, meter: Meter,
                 budget: Budget | None = None) -> None:
        self._host = host
        self._config = config
        self._meter = meter
        self._budget = budget or Budget(config.budget)
        self._limiter = trio.CapacityLimiter(config.max_concurrent_requests)
        self.busy = 0  # requests answered "busy" (global or per-peer limit)
        #: fires whenever a request takes or gives back a slot, or is answered "busy"
        self.changed = Pulse()

    def set_handler(self, protocol_id: str, handler: Handler, max_request: int | None = None) -> None:
        """Serve ``protocol_id`` with ``handler(peer_id, request) -> response``. A request
        frame over ``max_request`` bytes (at most ``max_request_bytes``) is refused from
        its length, before its body is read."""
        cap = self._config.max_request_bytes if max_request is None else min(
            max_request, self._config.max_request_bytes)
        self._host.set_stream_handler(TProtocol(protocol_id), partial(self._serve, handler, cap))

    async def _serve(self, handler: Handler, max_request: int, stream: INetStream) -> None:
        peer = stream.muxed_conn.peer_id.to_base58()
        protocol_id = stream.get_protocol()
        self._meter.requests_in += 1
        ok = False
        # Per-peer slot first: a peer over its own limit never touches the global pool.
        if not self._budget.open_request(peer, trio.current_time()):
            await self._refuse(stream, BUSY + ": too many open requests from you")
            return
        try:
            self._limiter.acquire_nowait()
        except trio.WouldBlock:
            self._budget.close_request(peer)
            await self._refuse(stream, BUSY)
            return
        self.changed.fire()
        try:
            with trio.move_on_after(self._config.request_timeout_s) as scope:
                await stream.write(await self._answer(handler, peer, protocol_id, stream, max_request))
                ok = True
            if scope.cancelled_caught:
                log.info("request %s from %s timed out; stream reset", protocol_id, peer)
        except trio.TooSlowError:
            # A slot held by a request that never came: a little standing (a slow honest link may
            # do it once), so a peer that keeps streams open and silent loses its connection.
            self._budget.penalize(peer, self._budget.params.penalty_over_budget, trio.current_time())
            log.info("request %s from %s: request frame not received in %.0f s; stream reset",
                     protocol_id, peer, self._config.request_read_timeout_s)
        except _FAILURES as exc:
            log.debug("request %s from %s failed: %s", protocol_id, peer, exc)
        finally:
            self._limiter.release()
            self._budget.close_request(peer)
            self.changed.fire()
            await _finish(stream, ok=ok)

    async def _refuse(self, stream: INetStream, reason: str) -> None:
        self.busy += 1
        self.changed.fire()
        try:
            with trio.move_on_after(_CLEANUP_S):
                await stream.write(error_frame(reason))
        except LIBP2P_ERRORS:
            pass
        await _finish(stream, ok=True)

    async def _answer(self, handler: Handler, peer: str, protocol_id: object,
                      stream: INetStream, max_request: int) -> bytes:
        with trio.fail_after(self._config.request_read_timeout_s):
            size = int.from_bytes(await read_exactly(stream, 4), "big")
            if size > max_request:
                self._budget.bad_request(peer, trio.current_time())
                return error_frame(f"request of {size} bytes exceeds {max_request}")
            request = await read_exactly(stream, size)
        try:
            response = await handler(peer, request)
        except AttnshareError as exc:
            log.info("handler %s refused a request from %s: %s", protocol_id, peer, printable(str(exc)))
            if isinstance(exc, RemoteError):
                self._budget.bad_request(peer, trio.current_time())
            return error_frame(f"{type(exc).__name__}: {exc}")
        except Exception:
            log.exception("handler %s crashed on a request from %s", protocol_id, peer)
            return error_frame("internal error")
        if not isinstance(response, bytes | bytearray | memoryview):
            log.error("handler %s returned %s, not bytes", protocol_id, type(response).__name__)
            return error_frame("internal error")
        if len(response) > self._config.max_response_bytes:
            log.error("handler %s produced %d bytes, over max_response_bytes", protocol_id,
                      len(response))
            return error_frame("response too large")
        return response_frame(STATUS_OK, bytes(response))


async def request(host: IHost, peer: ID, protocol_id: str, data: bytes, *,
                  max_response: int) -> bytes:
    """One request/response exchange on a new stream; NetError on any failure."""
    where = f"request {protocol_id} to {peer}"
    stream: INetStream | None = None
    ok = False
    try:
        with translate_errors(where):
            with inbound.dialing(), _negotiating(where):  # new_stream dials a peer not connected
                stream = await host.new_stream(peer, [TProtocol(protocol_id)])
            await stream.write(len(data).to_bytes(4, "big") + data)
            header = await read_exactly(stream, 5)
            status, size = header[0], int.from_bytes(header[1:], "big")
            if status == STATUS_ERROR:
                if size > MAX_ERROR_TEXT:
                    raise NetError(f"{where}: error frame of {size} bytes")
                reason = printable((await read_exactly(stream, size)).decode("utf-8", "replace"))
                if reason == BUSY or reason.startswith(BUSY + ":"):  # StreamServer._refuse's words
                    raise PeerBusy(f"{where}: peer answered {reason}")
                raise NetError(f"{where}: peer answered error: {reason}")
            if status != STATUS_OK:
                raise NetError(f"{where}: unknown response status {status}")
            if size > max_response:
                raise MessageTooLarge(f"{where}: response of {size} bytes exceeds {max_response}")
            body = await read_exactly(stream, size)
            ok = True
            return body
    finally:
        if stream is not None:
            await _finish(stream, ok=ok)


@contextmanager
def _negotiating(where: str) -> Iterator[None]:
    """Whatever libp2p raises on a peer's answer to a stream's protocol negotiation, as a NetError.

    The answer is the peer's bytes, and libp2p's multistream reader decodes them
    unchecked: a peer that answered with invalid UTF-8 raised UnicodeDecodeError,
    which no caller expects, out of a ping task and took the whole host down.
    """
    try:
        yield
    except NetError:
        raise
    except Exception as exc:
        raise NetError(f"{where}: negotiation failed: {type(exc).__name__}: {exc}") from exc


async def _echo_rtt(stream: INetStream, where: str) -> float:
    """One ping exchange on a negotiated ``/ipfs/ping/1.0.0`` stream: its round trip in milliseconds."""
    payload = secrets.token_bytes(PING_LENGTH)
    start = trio.current_time()
    await stream.write(payload)
    echo = await read_exactly(stream, PING_LENGTH)
    rtt_ms = (trio.current_time() - start) * 1000.0
    if echo != payload:
        raise NetError(f"{where}: echo does not match")
    return rtt_ms


async def ping(host: IHost, peer: ID) -> float:
    """Round trip of one libp2p ping (``/ipfs/ping/1.0.0``), in milliseconds."""
    stream: INetStream | None = None
    ok = False
    try:
        with translate_errors(f"ping {peer}"):
            with inbound.dialing(), _negotiating(f"ping {peer}"):
                stream = await host.new_stream(peer, [PING_PROTOCOL])
            rtt_ms = await _echo_rtt(stream, f"ping {peer}")
        ok = True
        return rtt_ms
    finally:
        if stream is not None:
            await _finish(stream, ok=ok)


async def ping_connection(conn: INetConn, negotiate_timeout_s: int = 5) -> float:
    """Round trip of one libp2p ping on ``conn`` itself, in milliseconds.

    ``host.new_stream`` picks among a peer's connections by libp2p's strategy, so
    :func:`ping` says nothing about one connection; a probe of one (is it dead?)
    opens its stream there and negotiates the protocol itself.
    """
    stream: INetStream | None = None
    ok = False
    try:
        with translate_errors("ping on one connection"):
            stream = await conn.new_stream()
            with _negotiating("ping on one connection"):
                await MultiselectClient().select_one_of(
                    [PING_PROTOCOL], MultiselectCommunicator(stream), negotiate_timeout_s)
            rtt_ms = await _echo_rtt(stream, "ping on one connection")
        ok = True
        return rtt_ms
    finally:
        if stream is not None:
            await _finish(stream, ok=ok)
