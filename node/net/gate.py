"""Manual partitions: a set of blocked peers, enforced at the Noise handshake.

py-libp2p 0.8.1 gates connections by IP only. A peer id is known as soon as
the Noise handshake has authenticated it, before the muxer, pubsub or any
protocol sees the connection, so the gate wraps the security transport: a
blocked peer's connection is closed right there, inbound or outbound, whoever
dialled (us, an auto-dial inside libp2p, a stream opened to a known address).
The same place applies the caps on inbound connections from strangers
(:mod:`node.net.inbound`), now that the peer id is authenticated.
"""

from __future__ import annotations

import math

from libp2p.abc import IRawConnection, ISecureConn, ISecureTransport
from libp2p.peer.id import ID
from libp2p.security.exceptions import HandshakeFailure

from node.net import inbound


class PeerGate:
    """Peers we refuse to talk to, by peer id (base58)."""

    def __init__(self, guard: inbound.InboundGuard | None = None) -> None:
        self._blocked: set[str] = set()
        #: caps on inbound connections, applied once the handshake named the peer
        self.guard = guard

    def block(self, peer_id: str) -> None:
        self._blocked.add(peer_id)

    def unblock(self, peer_id: str) -> None:
        self._blocked.discard(peer_id)

    def is_blocked(self, peer_id: str) -> bool:
        return peer_id in self._blocked

    def blocked(self) -> frozenset[str]:
        return frozenset(self._blocked)

    def wrap(self, transport: ISecureTransport) -> ISecureTransport:
        """A security transport that runs ``transport`` then applies the gate."""
        return _GatedTransport(transport, self)


class _GatedTransport(ISecureTransport):
    def __init__(self, inner: ISecureTransport, gate: PeerGate) -> None:
        self._inner = inner
        self._gate = gate

    async def secure_inbound(self, conn: IRawConnection) -> ISecureConn:
        secured = await self._admit(await self._inner.secure_inbound(conn))
        ticket = inbound.CURRENT.get()
        guard = self._gate.guard
        if ticket is not None and guard is not None:
            remote = secured.get_remote_peer().to_base58()
            if not guard.identify(ticket, remote, secured):
                await secured.close()
                raise HandshakeFailure(f"peer {remote}: too many inbound connections from strangers")
            if ticket.scope is not None:
                ticket.scope.deadline = math.inf  # identified: the handshake deadline is over
        return secured

    async def secure_outbound(self, conn: IRawConnection, peer_id: ID) -> ISecureConn:
        return await self._admit(await self._inner.secure_outbound(conn, peer_id))

    async def _admit(self, secured: ISecureConn) -> ISecureConn:
        remote = secured.get_remote_peer().to_base58()
        if self._gate.is_blocked(remote):
            await secured.close()
            # The upgrader turns HandshakeFailure into a failed connection.
            raise HandshakeFailure(f"peer {remote} is blocked")
        return secured
