"""yamux as a peer can abuse it: the gate between a secured connection and its muxer.

Theory of operation
-------------------
py-libp2p 0.8.1 builds its ``Yamux`` itself, so :func:`install` wraps the
secured connection on its way into the muxer: yamux reads every byte through
a :class:`StreamGate`, which parses the frame headers as they pass and

* holds a SYN unread while the connection has ``max_streams`` streams open or
  the peer opened more than ``rate`` a second (py-libp2p made a stream, an
  ACK and a 10 s negotiation task for every 12-byte SYN);
* answers at most 10 pings a second;
* closes the connection on data past a stream's receive window (py-libp2p
  only logged it and buffered the bytes);
* caps the bytes yamux holds unread for the connection (``max_held``), and,
  with a :class:`HeldBytes` shared by every connection, for the node
  (``HeldBytes.cap``).

Why the last cap: within its windows a peer may still make yamux buffer
256 KiB on each of 256 streams (up to 16 MiB on a stream whose window grew)
and never let anything read it: a stream still naming its protocol, or one
whose handler has stopped reading. Measured on py-libp2p 0.8.1: one
connection held 60.5 MiB that way, so 64 strangers ~ 3.9 GiB. Now the data
frame that would take a connection past ``max_held`` closes that connection,
and one that would take the node past ``HeldBytes.cap`` closes the
connection holding the most (a stranger's first: a known peer goes only when
no stranger holds anything). Neither check runs the frame's body into memory
first: it happens when the header is read.

Counting is exact where it matters and O(1) otherwise: each gate keeps an
upper bound of what it holds (its last exact count plus the data frames seen
since; reads only lower the true figure), and recounts its streams' buffers
(at most ``max_streams`` of them) only when the bound would cross a cap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio

from node.net.config import MAX_HELD_PER_CONNECTION, MAX_HELD_PER_NODE
from node.net.errors import NetError
from node.net.pulse import Pulse

log = logging.getLogger(__name__)

_HEADER = 12  # version, type, flags, stream id, length
_SYN = 0x1
_TYPE_DATA, _TYPE_WINDOW, _TYPE_PING = 0, 1, 2
_WINDOW = 256 * 1024  # yamux's initial receive window of a stream
_PING_RATE, _PING_BURST = 10.0, 20.0  # yamux pings a peer may make us answer



class HeldBytes:
    """What yamux holds unread, all connections together, against one cap.

    ``total`` is the sum of the live gates' upper bounds, so it is never below
    the truth; :meth:`recount` makes it exact.
    """

    def __init__(self, cap: int = MAX_HELD_PER_NODE) -> None:
        self.cap = cap
        self.total = 0
        self._gates: dict[int, StreamGate] = {}
        #: connections closed because the node was at its cap
        self.evictions = 0

    def add(self, gate: StreamGate) -> None:
        self._gates[id(gate)] = gate
        self.total += gate.held

    def remove(self, gate: StreamGate) -> None:
        if self._gates.pop(id(gate), None) is not None:
            self.total -= gate.held

    def holds(self, gate: StreamGate) -> bool:
        return id(gate) in self._gates

    def __len__(self) -> int:
        return len(self._gates)

    def recount(self) -> None:
        """Count every live connection's buffers (at cap crossings only)."""
        for gate in list(self._gates.values()):
            if gate.closed():
                self.remove(gate)
            else:
                gate.recount()

    def largest(self) -> StreamGate | None:
        """The connection to close at the cap: the stranger holding the most,
        else (no stranger holds anything) the known peer holding the most."""
        live = [g for g in self._gates.values() if g.held > 0]
        strangers = [g for g in live if not g.known]
        pool = strangers or live
        return max(pool, key=lambda g: g.held, default=None)


class StreamGate:
    """A peer's secured connection as yamux reads it; see the module docstring.

    Everything that is not ``read`` is the secured connection itself (``inner``).
    """

    waits = 0  # SYNs and pings held back, all connections together
    violations = 0  # connections closed for sending past a stream's receive window
    over_held = 0  # connections closed for making yamux hold more than a cap

    def __init__(self, inner: object, max_streams: int, rate: float, *,
                 max_held: int = MAX_HELD_PER_CONNECTION, node: HeldBytes | None = None,
                 known: bool = False) -> None:
        self.inner = inner
        self._max = max_streams
        self._rate = rate
        self._tokens = float(max_streams)
        self._tokens_at: float | None = None
        self._owner: object | None = None  # passive (muxer negotiation) until attached
        self._freed = Pulse()
        self._header = bytearray()
        self._body_left = 0
        self._pings = _PING_BURST
        self._pings_at: float | None = None
        self._max_held = max_held
        self._node = node
        #: a known peer (validator, dialled by us): closed at the node cap only
        #: when no stranger holds anything
        self.known = known
        #: upper bound of the bytes yamux holds unread for this connection
        self.held = 0
        self._doomed: str | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def attach(self, muxed: object) -> None:
        """Start parsing: ``muxed`` is the yamux connection reading through us."""
        streams = getattr(muxed, "streams", None)
        finalize = getattr(muxed, "_finalize_stream_locked", None)
        if not isinstance(streams, dict) or finalize is None \
                or not isinstance(getattr(muxed, "stream_buffers", None), dict):
            return  # not py-libp2p 0.8.1's yamux: stay a plain pass-through
        freed = self._freed

        def finalized(stream: object, *, fully_closed: bool) -> None:
            finalize(stream, fully_closed=fully_closed)
            freed.fire()

        muxed._finalize_stream_locked = finalized  # type: ignore[attr-defined]
        self._owner = muxed
        if self._node is not None:
            self._node.add(self)

    # ------------------------------------------------------------ held bytes
    def closed(self) -> bool:
        """This connection is gone or going (its bytes are no longer counted)."""
        owner = self._owner
        return owner is None or self._doomed is not None or bool(
            getattr(getattr(owner, "event_shutting_down", None), "is_set", lambda: False)())

    def recount(self) -> int:
        """Make ``held`` exact: the bytes in this connection's stream buffers."""
        buffers: dict[int, bytearray] = self._owner.stream_buffers  # type: ignore[union-attr]
        exact = sum(len(b) for b in buffers.values())
        if self._node is not None and self._node.holds(self):
            self._node.total += exact - self.held
        self.held = exact
        return exact

    def release(self) -> None:
        """The connection is over: yamux drops its buffers, it holds nothing any more."""
        if self._node is not None:
            self._node.remove(self)
        self.held = 0

    async def _admit_data(self, length: int) -> None:
        # Called with the header of a data frame yamux will buffer, before its body is read.
        if self.held + length > self._max_held and self.recount() + length > self._max_held:
            StreamGate.over_held += 1
            raise NetError(f"yamux: the peer made us hold {self.held + length} unread bytes "
                           f"on one connection (cap {self._max_held})")
        node = self._node
        while node is not None and node.total + length > node.cap:
            node.recount()
            if node.total + length <= node.cap:
                break
            victim = node.largest()
            if victim is None or victim is self:
                StreamGate.over_held += 1
                node.evictions += 1
                raise NetError(f"yamux: node holds {node.total} unread bytes (cap {node.cap}); "
                               "this connection holds the most")
            node.evictions += 1
            StreamGate.over_held += 1
            await victim.evict(f"node holds {node.total} unread bytes (cap {node.cap})")
        self.held += length
        if node is not None and node.holds(self):
            node.total += length

    async def evict(self, why: str) -> None:
        """Close this connection for the node's cap (from another connection's reader)."""
        log.info("yamux: closing a connection holding %d unread bytes: %s", self.held, why)
        self._doomed = why
        self.release()
        # Free the bytes now, not when its reader task gets round to yamux's
        # cleanup: the frame that made room is read next. The connection is
        # going, so nothing is owed to whoever reads these streams. (Setting
        # yamux's shutdown flag here could end its reader loop before its
        # cleanup; the closed socket makes the reader run that cleanup.)
        for buffer in getattr(self._owner, "stream_buffers", {}).values():
            buffer.clear()
        # Closing the socket wakes this connection's reader with an error, and
        # yamux's cleanup drops its buffers; it never waits on the peer.
        with trio.move_on_after(1.0):
            try:
                await self.inner.close()  # type: ignore[attr-defined]
            except Exception as exc:  # noqa: BLE001 - whatever the transport raises, it is closing
                log.debug("closing an evicted connection: %r", exc)

    # ------------------------------------------------------------------ read
    async def read(self, n: int | None = None) -> bytes:
        if self._doomed is not None:
            raise NetError(f"yamux: connection closed: {self._doomed}")
        # A connection that ends is dropped from the node's count by the host's
        # notifee (release) or at the next recount (its yamux is shutting down).
        data: bytes = await self.inner.read(n)  # type: ignore[attr-defined]
        if self._owner is None:
            return data
        view = memoryview(data)
        while view:
            if self._body_left:
                step = min(self._body_left, len(view))
                self._body_left -= step
                view = view[step:]
                continue
            need = _HEADER - len(self._header)
            self._header += view[:need]
            view = view[need:]
            if len(self._header) < _HEADER:
                break
            typ, flags = self._header[1], int.from_bytes(self._header[2:4], "big")
            stream_id = int.from_bytes(self._header[4:8], "big")
            length = int.from_bytes(self._header[8:12], "big")
            self._header.clear()
            if typ == _TYPE_DATA:
                try:
                    if self._check_window(stream_id, length, new=bool(flags & _SYN)) and length:
                        await self._admit_data(length)
                except NetError:
                    self.release()
                    raise
                self._body_left = length
            if flags & _SYN and typ in (_TYPE_DATA, _TYPE_WINDOW):
                await self._admit_syn()
            elif flags & _SYN and typ == _TYPE_PING:
                await self._admit_ping()
        return data

    def _check_window(self, stream_id: int, length: int, *, new: bool) -> bool:
        # py-libp2p's yamux buffers whatever a peer sends past a stream's receive
        # window (it only logs a warning): a stream nobody reads, e.g. one still
        # naming its protocol, took any amount of memory. As go-yamux: that is a
        # protocol error, and the connection goes. True: yamux will buffer the data.
        streams: dict[int, object] = self._owner.streams  # type: ignore[union-attr]
        stream = streams.get(stream_id)
        if stream is None and not new:
            return False  # a stream already gone: yamux discards its data, nothing is held
        window = _WINDOW if stream is None else getattr(stream, "recv_window", _WINDOW)
        if length > window:
            StreamGate.violations += 1
            raise NetError(f"yamux: {length} bytes on stream {stream_id} past its window of {window}")
        return True

    async def _admit_ping(self) -> None:
        now = trio.current_time()
        if self._pings_at is not None:
            self._pings = min(_PING_BURST, self._pings + (now - self._pings_at) * _PING_RATE)
        self._pings_at = now
        if self._pings < 1.0:
            StreamGate.waits += 1
            await trio.sleep((1.0 - self._pings) / _PING_RATE)
            self._pings, self._pings_at = 1.0, trio.current_time()
        self._pings -= 1.0

    async def _admit_syn(self) -> None:
        now = trio.current_time()
        if self._tokens_at is not None:
            self._tokens = min(float(self._max), self._tokens + (now - self._tokens_at) * self._rate)
        self._tokens_at = now
        if self._tokens < 1.0:
            StreamGate.waits += 1
            await trio.sleep((1.0 - self._tokens) / self._rate)
            self._tokens, self._tokens_at = 1.0, trio.current_time()
        self._tokens -= 1.0
        streams: dict[object, object] = self._owner.streams  # type: ignore[union-attr]
        while len(streams) >= self._max:
            StreamGate.waits += 1
            await self._freed.wait()


def install(muxers: object, make_gate: Callable[[object, object], StreamGate]) -> None:
    """Wrap every secured connection ``muxers`` (libp2p's muxer multistream)
    hands to yamux in ``make_gate(conn, peer_id)``."""
    new_conn = muxers.new_conn  # type: ignore[attr-defined]

    async def gated(conn: object, peer_id: object) -> object:
        gate = make_gate(conn, peer_id)
        muxed = await new_conn(gate, peer_id)
        gate.attach(muxed)
        return muxed

    muxers.new_conn = gated  # type: ignore[attr-defined]


def unwrap(secured: object) -> object:
    """The secured connection under a :class:`StreamGate` (the object the gate admitted)."""
    return getattr(secured, "inner", secured) if isinstance(secured, StreamGate) else secured
