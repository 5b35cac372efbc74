"""Links between local daemons that a scenario can black-hole: a TCP relay per ordered pair of nodes.

Why
---
A ``partition`` (:mod:`node.sim.faults`) goes through the daemons' own admin API: each side
blocks the other, which closes the connection at once and refuses the next at the handshake.
That is a clean cut, and the daemons learn of it in a millisecond. A real partition is rarely
so polite: a switch dies, a route or a NAT mapping goes, a firewall starts dropping, and both
ends keep a connection that is open and silent. Nothing is refused and nothing is closed; each
side finds out only through its own timeouts (pings, stalled writes, handshakes that never end),
and when the link comes back, whatever TCP still held is delivered late. ``blackhole`` simulates
that with the real daemons.

How
---
When a scenario has a ``blackhole`` fault, every node dials every other through a relay of this
module instead of directly (``LocalNet.create(..., relayed=True)`` writes the relay's ports as
the bootstrap addresses; the daemons dial nothing else). Each ordered pair (a dials b) has its
own listening port, so the relay knows which link a connection belongs to without reading it.
Noise authenticates end to end through it: the relay only copies bytes.

A black-holed link neither reads nor writes either of its sockets: bytes in flight stay in the
kernel's buffers, writers fill their TCP windows and block, closes are not passed on (a FIN
crosses no black hole either), and new connections are accepted (the dialer's handshake then
waits, as on a route that drops everything) but carry nothing. Healing resumes the copying, so
what was held is delivered then, as TCP would after an outage.

One thread and a ``selectors`` loop serve every link: a scenario's gossip is a few hundred KiB
per second. Each direction buffers at most ``_MAX_BUFFER`` bytes before it stops reading its
source, so a slow reader slows its writer as it would without the relay.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field

__all__ = ["LinkRelay"]

_CHUNK = 65536
_MAX_BUFFER = 1 << 20
_TICK_S = 0.05


@dataclass(eq=False)
class _Pipe:
    """One relayed connection: the dialer's socket and the one to the dialed daemon."""

    link: tuple[int, int]
    down: socket.socket  # accepted from the dialer
    up: socket.socket | None = None  # to the dialed node: connected once the link carries bytes
    #: bytes read from one socket and not yet written to the other: keyed by the destination
    pending: dict[socket.socket, bytearray] = field(default_factory=dict)
    #: sockets whose peer closed its writing side (their EOF, still to pass on once drained)
    eof: set[socket.socket] = field(default_factory=set)
    #: bytes read while links are slow, by destination: (when they may go on, bytes), in order
    held: dict[socket.socket, deque[tuple[float, bytes]]] = field(default_factory=dict)

    def queued(self, dst: socket.socket) -> int:
        """Bytes read for ``dst`` and not yet written, held back or not."""
        return len(self.pending[dst]) + sum(len(b) for _, b in self.held[dst])

    def other(self, s: socket.socket) -> socket.socket:
        assert self.up is not None
        return self.up if s is self.down else self.down

    def done(self) -> bool:
        """Both sides closed their writing side and everything read was passed on."""
        return len(self.eof) == 2 and not any(self.pending.values()) and not any(self.held.values())


class LinkRelay:
    """A relay for every ordered pair of nodes; ``block`` and ``heal`` switch links off and on.

    ``targets[b]`` is node b's listening port. ``ports[(a, b)]`` is where node a dials node b,
    fixed before the relay starts (:meth:`LocalNet.create` writes them into the configs).
    """

    def __init__(self, ports: dict[tuple[int, int], int], targets: dict[int, int]) -> None:
        self.ports = dict(ports)
        self.targets = dict(targets)
        self._blocked: set[frozenset[int]] = set()
        self._slow_s = 0.0  # one-way latency added to every link while time.monotonic() < _slow_until
        self._slow_until = 0.0
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._listeners: dict[socket.socket, tuple[int, int]] = {}
        self._pipes: set[_Pipe] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: counters for the report: connections accepted and bytes copied, per link
        self.accepted: dict[tuple[int, int], int] = {link: 0 for link in self.ports}
        self.copied: dict[tuple[int, int], int] = {link: 0 for link in self.ports}

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        for link, port in self.ports.items():
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            s.listen(64)
            s.setblocking(False)
            self._listeners[s] = link
            self._sel.register(s, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._run, name="sim-link-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for s in list(self._listeners):
            s.close()
        for p in list(self._pipes):
            self._close(p)
        self._sel.close()

    def block(self, a: int, b: int) -> None:
        """Black-hole the link between ``a`` and ``b``, both ways and both dial directions."""
        with self._lock:
            self._blocked.add(frozenset((a, b)))

    def heal(self) -> int:
        """Let every black-holed link carry bytes again; returns how many were black-holed."""
        with self._lock:
            n = len(self._blocked)
            self._blocked.clear()
        return n

    def slow(self, latency_ms: float, duration_s: float) -> None:
        """Add ``latency_ms`` to every link, each way, for ``duration_s`` from now: bytes read in
        that time go on ``latency_ms`` later, in order (and what follows them waits its turn)."""
        with self._lock:
            self._slow_s = latency_ms / 1000.0
            self._slow_until = time.monotonic() + duration_s

    def _delay(self, now: float) -> float:
        with self._lock:
            return self._slow_s if now < self._slow_until else 0.0

    def blocked(self, link: tuple[int, int]) -> bool:
        with self._lock:
            return frozenset(link) in self._blocked

    # ------------------------------------------------------------------ the loop
    def _run(self) -> None:
        while not self._stop.is_set():
            timeout = self._arm()
            for key, _mask in self._sel.select(timeout=timeout):
                s = key.fileobj
                assert isinstance(s, socket.socket)
                if s in self._listeners:
                    self._accept(s)
                    continue
                pipe: _Pipe = key.data
                if pipe not in self._pipes:
                    continue  # closed earlier in this round
                self._pump(pipe, s, _mask)

    def _arm(self) -> float:
        """(Re)register each pipe socket for what it may do now: nothing on a black-holed link;
        else read while the other direction's buffer has room, write while something waits.
        Held chunks whose time has come join what waits. Returns how long the loop may sleep."""
        now = time.monotonic()
        timeout = _TICK_S
        for p in list(self._pipes):
            off = self.blocked(p.link)
            if p.up is None and (off or not self._connect(p)):
                continue
            assert p.up is not None
            for dst, held in p.held.items():
                while held and held[0][0] <= now:
                    p.pending[dst] += held.popleft()[1]
                if held:
                    timeout = min(timeout, held[0][0] - now)
                elif not p.pending[dst] and p.other(dst) in p.eof:
                    self._shut(dst)  # an EOF that waited behind held bytes
            for s in (p.down, p.up):
                events = 0
                if not off:
                    if s not in p.eof and p.queued(p.other(s)) < _MAX_BUFFER:
                        events |= selectors.EVENT_READ
                    if p.pending[s]:
                        events |= selectors.EVENT_WRITE
                try:
                    key = self._sel.get_key(s)
                except KeyError:
                    key = None
                if key is not None and (events == 0 or key.events != events):
                    self._sel.unregister(s)
                    key = None
                if key is None and events:
                    self._sel.register(s, events, p)
            if p.done():
                self._close(p)
        return max(0.0, timeout)

    def _accept(self, listener: socket.socket) -> None:
        link = self._listeners[listener]
        try:
            down, _ = listener.accept()
        except OSError:
            return
        self.accepted[link] += 1
        down.setblocking(False)
        down.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The dialed node is reached when the link carries bytes (_arm): across a black hole its
        # daemon sees no connection at all, as a dropped SYN shows it none.
        self._pipes.add(_Pipe(link, down))

    def _connect(self, p: _Pipe) -> bool:
        up = socket.socket()
        up.settimeout(2.0)
        try:
            up.connect(("127.0.0.1", self.targets[p.link[1]]))
        except OSError:
            # The dialed daemon is down: refuse, as its port would.
            up.close()
            self._close(p)
            return False
        up.setblocking(False)
        up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        p.up = up
        p.pending = {p.down: bytearray(), up: bytearray()}
        p.held = {p.down: deque(), up: deque()}
        return True

    def _pump(self, p: _Pipe, s: socket.socket, mask: int) -> None:
        dst = p.other(s)
        if mask & selectors.EVENT_READ:
            try:
                data = s.recv(_CHUNK)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                self._close(p)
                return
            if data == b"":
                p.eof.add(s)
                if not p.pending[dst] and not p.held[dst]:
                    self._shut(dst)
            elif data:
                now = time.monotonic()
                delay = self._delay(now)
                if delay > 0 or p.held[dst]:  # slow links, or bytes still held before these
                    p.held[dst].append((now + delay, data))
                else:
                    p.pending[dst] += data
                self.copied[p.link] += len(data)
        if mask & selectors.EVENT_WRITE and p.pending[s]:
            try:
                sent = s.send(p.pending[s])
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._close(p)
                return
            del p.pending[s][:sent]
            if not p.pending[s] and not p.held[s] and dst in p.eof:
                self._shut(s)
        if p.done():
            self._close(p)

    @staticmethod
    def _shut(s: socket.socket) -> None:
        with contextlib.suppress(OSError):
            s.shutdown(socket.SHUT_WR)

    def _close(self, p: _Pipe) -> None:
        self._pipes.discard(p)
        for s in (p.down, p.up):
            if s is None:
                continue
            with contextlib.suppress(KeyError, ValueError):
                self._sel.unregister(s)
            s.close()
