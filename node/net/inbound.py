"""Inbound connections: caps per address prefix and for strangers, and no leaked slots.

Theory of operation
-------------------
Every inbound TCP connection gets a :class:`Ticket` when libp2p accepts it,
before any handshake byte is read, and gives it back when the connection
ends. The :class:`InboundGuard` counts tickets and refuses what is over a cap:

* **before the handshake** (the peer id is not known yet): at most
  ``max_inbound_handshakes`` handshakes in progress, and at most
  ``max_inbound_handshakes_per_prefix`` from one address prefix (a /24 for
  IPv4, a /64 for IPv6: one host, or one cheap block of addresses; loopback
  is one machine's own devnet and is held to the totals only, unless
  ``prefix_caps_on_loopback``). At a cap the oldest handshake in progress of
  the prefix holding the most is dropped, not the newcomer, and a
  handshake has ``handshake_timeout_s`` (5 s) from accept to an identified
  peer: connections that never speak cannot hold the slots against a
  validator's quick handshake;
* **after the Noise handshake** (the peer id is authenticated): a *known*
  peer (a genesis validator, a peer we dialled, see
  :meth:`node.net.budget.Budget.add_known`) is always let in; any other peer,
  a *stranger*, only while fewer than ``max_inbound_strangers`` stranger
  connections are open in all and fewer than
  ``max_inbound_strangers_per_prefix`` from its prefix. Peer ids cost nothing
  (a key pair), so a sybil crowd is bounded by connections and addresses, not
  by identities; validators never compete with it for a slot.

py-libp2p 0.8.1 takes a slot of its own inbound limiter (250) for every
inbound connection and gives it back only when the whole swarm stops: its
handler waits for the swarm's end after the upgrade, not for the
connection's. After 250 inbound connections in a node's lifetime (an
attacker connecting and disconnecting 250 times, or honest peers
reconnecting over days), it refused every inbound connection. The hook
below (:func:`install`) runs libp2p's handler inside a cancel scope that is
cancelled when the connection closes, so the slot and the task go with it.

:class:`InboundGuard` is pure bookkeeping (no trio, no libp2p); :func:`install`
wires it into a libp2p swarm.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import trio

log = logging.getLogger(__name__)

#: the ticket of the inbound connection whose handler runs in this task
CURRENT: contextvars.ContextVar[Ticket | None] = contextvars.ContextVar("inbound_ticket",
                                                                        default=None)

_PENDING, _KNOWN, _STRANGER = "pending", "known", "stranger"


def is_loopback(ip: str | None) -> bool:
    """127.0.0.0/8 or ::1 (a v4-mapped loopback too)."""
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


def prefix_of(ip: str | None) -> str:
    """The address block one party controls cheaply: IPv4 /24, IPv6 /64 ("?" if unknown)."""
    if not ip:
        return "?"
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return "?"
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    bits = 24 if isinstance(addr, ipaddress.IPv4Address) else 64
    return str(ipaddress.ip_network(f"{addr}/{bits}", strict=False))


@dataclass(frozen=True, slots=True)
class InboundLimits:
    """The caps (``NetParams`` fields of the same names)."""

    max_inbound_handshakes: int = 64
    max_inbound_handshakes_per_prefix: int = 16
    max_inbound_strangers: int = 64
    max_inbound_strangers_per_prefix: int = 16
    #: apply the per-prefix caps to 127.0.0.1 / ::1 too (tests); by default a local
    #: devnet's many nodes on one address are bounded by the totals only
    prefix_caps_on_loopback: bool = False


@dataclass(frozen=True, slots=True)
class InboundStats:
    """Counters of the guard, for ``status`` and tests."""

    handshakes: int
    known: int
    strangers: int
    refused_handshakes: int
    refused_strangers: int
    closed: int


class Ticket:
    """One inbound connection, from accept to close."""

    __slots__ = ("conn", "peer", "prefix", "resource_scopes", "scope", "seen_live", "state")

    def __init__(self, prefix: str) -> None:
        #: the address block it counts against ("" for loopback when it is exempt)
        self.prefix = prefix
        self.state = _PENDING
        self.peer: str | None = None
        self.scope: trio.CancelScope | None = None
        self.conn: object | None = None  # the secured connection, once admitted
        #: when the host last saw it in the swarm's table (None: not checked yet)
        self.seen_live: float | None = None
        #: libp2p resource-manager scopes opened for it (see :func:`install`)
        self.resource_scopes: list[Any] = []


class InboundGuard:
    """Counts inbound connections by stage and prefix; see the module docstring."""

    def __init__(self, limits: InboundLimits, is_known: Callable[[str], bool],
                 handshake_timeout_s: float = 5.0) -> None:
        self.limits = limits
        self.is_known = is_known
        #: from accept to an identified peer (see :func:`install`)
        self.handshake_timeout_s = handshake_timeout_s
        self._pending: dict[str, int] = {}
        self._strangers: dict[str, int] = {}
        self._pending_total = 0
        self._strangers_total = 0
        self._known_total = 0
        self._by_conn: dict[int, Ticket] = {}
        #: handshakes in progress, oldest first
        self._waiting: dict[Ticket, None] = {}
        self.refused_handshakes = 0
        self.refused_strangers = 0
        self.closed = 0

    def open(self, ip: str | None) -> Ticket:
        """A connection was accepted: its ticket, for its handshake.

        At a cap, the *oldest* handshake in progress goes (its prefix's, or at
        the total cap the oldest of the prefix holding the most handshakes): it
        is cancelled (:attr:`Ticket.scope`) and counted in
        ``refused_handshakes``. Refusing the newcomer instead let anyone who
        opens connections and never speaks hold every slot for the whole
        handshake timeout, so no validator could connect in; now an honest
        handshake (milliseconds) only loses its slot to a flood that replaces
        all the slots in that time.
        """
        lim = self.limits
        exempt = not lim.prefix_caps_on_loopback and is_loopback(ip)
        prefix = "" if exempt else prefix_of(ip)
        if prefix and self._pending.get(prefix, 0) >= lim.max_inbound_handshakes_per_prefix:
            self._evict(next(t for t in self._waiting if t.prefix == prefix))
        if self._pending_total >= lim.max_inbound_handshakes:
            self._evict(self._oldest_of_largest_prefix())
        self._pending[prefix] = self._pending.get(prefix, 0) + 1
        self._pending_total += 1
        ticket = Ticket(prefix)
        self._waiting[ticket] = None
        return ticket

    def _oldest_of_largest_prefix(self) -> Ticket:
        # At the total cap, the oldest handshake of the prefix holding the most
        # goes, not the oldest of all: an attacker rotating over 4 prefixes
        # (4 x 16 = the 64 slots) otherwise pushed out every honest handshake
        # that took longer than 64 of its connects. Now a prefix holding one
        # handshake loses it only to an attacker holding one in each of 63
        # other prefixes (all the other slots). O(cap).
        largest = max(self._pending.values())
        return next(t for t in self._waiting if self._pending.get(t.prefix, 0) == largest)

    def _evict(self, ticket: Ticket) -> None:
        self.refused_handshakes += 1
        if ticket.scope is not None:
            ticket.scope.cancel()
        self.close(ticket)  # its slot is free now; the cancelled handler closes the socket

    def identify(self, ticket: Ticket, peer: str, conn: object) -> bool:
        """The handshake authenticated ``peer``; False: refuse the connection."""
        if ticket.state != _PENDING:
            return ticket.state != "closed"
        self._drop(ticket)
        lim = self.limits
        if self.is_known(peer):
            ticket.state = _KNOWN
            self._known_total += 1
        elif (self._strangers_total >= lim.max_inbound_strangers
              or (ticket.prefix
                  and self._strangers.get(ticket.prefix, 0) >= lim.max_inbound_strangers_per_prefix)):
            self.refused_strangers += 1
            ticket.state = "closed"
            return False
        else:
            ticket.state = _STRANGER
            self._strangers[ticket.prefix] = self._strangers.get(ticket.prefix, 0) + 1
            self._strangers_total += 1
        ticket.peer = peer
        ticket.conn = conn
        self._by_conn[id(conn)] = ticket
        return True

    def close(self, ticket: Ticket) -> None:
        """The connection is over (or was refused): give its slot back. Idempotent."""
        if ticket.state == "closed":
            return
        self._drop(ticket)
        ticket.state = "closed"
        self.closed += 1

    def ended(self, conn: object) -> None:
        """The secured connection ``conn`` closed: end its handler (and so its ticket)."""
        ticket = self._by_conn.get(id(conn))
        if ticket is not None and ticket.conn is conn and ticket.scope is not None:
            ticket.scope.cancel()

    def _drop(self, ticket: Ticket) -> None:
        if ticket.state == _PENDING:
            self._pending_total -= 1
            _decrement(self._pending, ticket.prefix)
            self._waiting.pop(ticket, None)
        elif ticket.state == _STRANGER:
            self._strangers_total -= 1
            _decrement(self._strangers, ticket.prefix)
        elif ticket.state == _KNOWN:
            self._known_total -= 1
        if ticket.conn is not None and self._by_conn.get(id(ticket.conn)) is ticket:
            del self._by_conn[id(ticket.conn)]

    def live(self) -> list[Ticket]:
        """Admitted connections (known or stranger), for reconciliation."""
        return list(self._by_conn.values())

    def stats(self) -> InboundStats:
        return InboundStats(self._pending_total, self._known_total, self._strangers_total,
                            self.refused_handshakes, self.refused_strangers, self.closed)


def _decrement(counts: dict[str, int], key: str) -> None:
    left = counts.get(key, 0) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)


def install(swarm: Any, guard: InboundGuard) -> None:
    """Wrap ``swarm``'s inbound handler (py-libp2p 0.8.1) with ``guard``.

    Must run before the swarm listens: its listeners look the handler up on
    the instance at each accept.
    """
    original: Callable[[Any, Any], Awaitable[None]] = swarm._handle_inbound_connection
    _track_resource_scopes(swarm)

    async def handle(read_write_closer: Any, maddr: Any) -> None:
        try:
            remote = read_write_closer.get_remote_address()
        except Exception:  # a transport without addresses: counted under "?"
            remote = None
        ticket = guard.open(remote[0] if remote else None)
        token = CURRENT.set(ticket)
        try:
            with trio.CancelScope() as scope:
                ticket.scope = scope
                # The whole handshake (security negotiation, Noise) within the
                # deadline; the gate lifts it once the peer is identified.
                scope.deadline = trio.current_time() + guard.handshake_timeout_s
                await original(read_write_closer, maddr)
            if scope.cancelled_caught:
                # Evicted, timed out, or its connection closed: libp2p's own
                # cleanup does not run under cancellation, so close the socket here.
                with trio.CancelScope(shield=True), trio.move_on_after(1.0), \
                        contextlib.suppress(Exception):
                    await read_write_closer.close()
                if ticket.peer is None:
                    # Cancelled in its handshake: libp2p's cleanup awaits before it
                    # releases the connection's resource-manager scope, so under
                    # cancellation it never did, and every evicted or timed-out
                    # handshake leaked one of the manager's connections. After
                    # about 800 of them (one attacker, one address, no crypto) the
                    # node refused every inbound connection, validators included,
                    # until restarted. Closing a scope twice is a no-op.
                    for rm_scope in ticket.resource_scopes:
                        with contextlib.suppress(Exception):
                            rm_scope.close()
        finally:
            CURRENT.reset(token)
            guard.close(ticket)

    swarm._handle_inbound_connection = handle


#: resource-manager scopes opened by the dial running in this task (see :func:`dialing`)
_DIAL_SCOPES: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("dial_scopes",
                                                                               default=None)


@contextlib.contextmanager
def dialing() -> Iterator[None]:
    """Around an outbound dial: if it fails or is cancelled, give back the connection
    slots libp2p's resource manager took for it.

    py-libp2p 0.8.1 releases them in cleanup that awaits first, so under
    cancellation it never did: each dial cancelled in its handshake (the
    daemon redials an unconnected bootstrap peer every 5 s, each attempt
    bounded by 5 s) leaked one, and after about 1000 the node could make or
    take no connection at all. Closing a scope twice is a no-op.
    """
    scopes: list[Any] = []
    token = _DIAL_SCOPES.set(scopes)
    try:
        yield
    except BaseException:
        for scope in scopes:
            with contextlib.suppress(Exception):
                scope.close()
        raise
    finally:
        _DIAL_SCOPES.reset(token)


def _track_resource_scopes(swarm: Any) -> None:
    # py-libp2p 0.8.1's resource manager counts a connection from before its
    # upgrade; remember each scope it opens on the ticket of the inbound
    # handler it is opened in (or the dial it is opened for), so that one can
    # give it back.
    manager = getattr(swarm, "_resource_manager", None)
    opener = getattr(manager, "open_connection", None)
    if opener is None:
        return

    def open_connection(*args: Any, **kwargs: Any) -> Any:
        scope = opener(*args, **kwargs)
        if scope is not None:
            ticket = CURRENT.get()
            if ticket is not None:
                ticket.resource_scopes.append(scope)
            dial = _DIAL_SCOPES.get()
            peer = args[0] if args else kwargs.get("peer_id")
            if dial is not None and peer is None:
                # Only the pre-upgrade scope: once the peer is known, the scope
                # belongs to a connection that may outlive a failed dial call.
                dial.append(scope)
        return scope

    manager.open_connection = open_connection
