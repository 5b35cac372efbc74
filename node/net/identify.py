"""What libp2p's identify may leave in the peerstore, and for how long (review 7, finding 2).

py-libp2p 0.8.1 runs identify on every new connection, inbound ones included:
it reads the peer's answer (up to 1 MiB) and stores its ``protocols`` list
as sent, with no cap on their number. ``/ipfs/id/push/1.0.0`` lets a
connected peer send the same at any time, on no budget. Nothing cleared the
entry when the peer left: ``max_peers`` (1000) is enforced only when
addresses are added, and the peerstore's cleanup task never runs. So every
fresh key pair that connected, answered with ~800 KB of 3-byte names and
left, kept ~10 MiB of Python strings here (about 9.4 GiB at 1000 peers).

:func:`install` bounds it, without touching libp2p's files:

* the identify-push handler is removed: our nodes never need a peer's
  protocols to change under a live connection, and the push was charged to
  nothing;
* the host's peerstore keeps at most :data:`MAX_PEER_PROTOCOLS` protocols of
  at most :data:`MAX_PROTOCOL_BYTES` each per peer, and a stranger at most
  :data:`MAX_PEER_ADDRS` addresses (libp2p keeps 1000 from identify); the
  rest are dropped (ours are a dozen names of under 40 bytes, and one or two
  addresses);
* a stranger's entry (a peer that is not known to the budget: not a genesis
  member, not dialled by us) is cleared when its last connection closes
  (:meth:`PeerBook.forget`, from the host's ``disconnected`` notifee), and
  :meth:`PeerBook.sweep` clears any left without a connection (an identify
  that finished after the disconnect, a pubsub peer record). Known peers keep
  their addresses: ``P2P.request`` to a peer that is not connected dials
  them. Our own entry (our keys) is never touched.

What is not bounded here: identify still reads and parses up to 1 MiB per
new connection (about 15 ms for the worst answer) before the cap applies;
the inbound caps bound how many strangers do it at once, not how often.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from libp2p.abc import IHost, IPeerStore
from libp2p.identity.identify_push.identify_push import ID_PUSH
from libp2p.peer.id import ID
from libp2p.peer.peerstore import PeerStoreError
from multiaddr import Multiaddr

#: most protocols kept for one peer (ours advertise about a dozen)
MAX_PEER_PROTOCOLS = 64
#: longest protocol name kept, in UTF-8 bytes (ours are under 40)
MAX_PROTOCOL_BYTES = 256
#: most addresses kept for one stranger (we never dial strangers)
MAX_PEER_ADDRS = 16


def capped_protocols(kept: Sequence[str], offered: Sequence[str]) -> list[str]:
    """The protocols of ``offered`` to add to ``kept``: short enough, not kept yet,
    no more than fill :data:`MAX_PEER_PROTOCOLS`. Stops reading ``offered`` once full."""
    room = MAX_PEER_PROTOCOLS - len(kept)
    out: list[str] = []
    seen = set(kept)
    for name in offered:
        if room <= len(out):
            break
        if not isinstance(name, str) or len(name.encode("utf-8", "replace")) > MAX_PROTOCOL_BYTES:
            continue
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


class PeerBook:
    """Bounds what the host's peerstore keeps; see the module docstring."""

    def __init__(self, host: IHost, is_known: Callable[[str], bool]) -> None:
        self._host = host
        self._store: IPeerStore = host.get_peerstore()
        self._self = host.get_id()
        self._is_known = is_known
        self.cleared = 0  # stranger entries cleared (tests, stats)

    def install(self) -> None:
        self._host.remove_stream_handler(ID_PUSH)
        store = self._store
        add, put, add_addrs = store.add_protocols, store.set_protocols, store.add_addrs

        # Instance attributes shadow the class's methods for this peerstore only;
        # libp2p's identify (and anything else) calls them through the instance.
        def add_protocols(peer_id: ID, protocols: Sequence[str]) -> None:
            if self._keeps(peer_id):
                kept = store.get_protocols(peer_id) if store.has_peer(peer_id) else []
                add(peer_id, capped_protocols(kept, protocols))

        def set_protocols(peer_id: ID, protocols: Sequence[str]) -> None:
            if self._keeps(peer_id):
                put(peer_id, capped_protocols([], protocols))

        def capped_addrs(peer_id: ID, addrs: Sequence[Multiaddr], ttl: int = 0) -> None:
            # add_addr and consume_peer_record come through here too. Known peers'
            # addresses (the operator's, the genesis members') are never dropped.
            if not self._is_known(peer_id.to_base58()):
                try:
                    room = MAX_PEER_ADDRS - len(store.addrs(peer_id))
                except PeerStoreError:
                    room = MAX_PEER_ADDRS
                addrs = list(addrs)[: max(0, room)]
            add_addrs(peer_id, addrs, ttl)

        store.add_protocols = add_protocols  # type: ignore[method-assign]
        store.set_protocols = set_protocols  # type: ignore[method-assign]
        store.add_addrs = capped_addrs  # type: ignore[method-assign]

    def _keeps(self, peer_id: ID) -> bool:
        # A stranger's protocols are kept only while it is connected: an identify
        # that completes after the disconnect would otherwise outlive it.
        return self._is_known(peer_id.to_base58()) or self._connected(peer_id)

    def _connected(self, peer_id: ID) -> bool:
        return bool(self._host.get_network().get_connections(peer_id))

    def forget(self, peer_id: ID) -> bool:
        """Clear ``peer_id``'s entry if it is a stranger with no connection left."""
        if peer_id == self._self or self._is_known(peer_id.to_base58()) or self._connected(peer_id):
            return False
        try:
            self._store.clear_peerdata(peer_id)
        except PeerStoreError:
            return False  # nothing stored
        self.cleared += 1
        return True

    def sweep(self) -> int:
        """Clear every stranger entry without a connection; return how many."""
        return sum(self.forget(pid) for pid in self._store.peer_ids())


def install(host: IHost, is_known: Callable[[str], bool]) -> PeerBook:
    """Bound ``host``'s peerstore (before ``host.run()``); see the module docstring."""
    book = PeerBook(host, is_known)
    book.install()
    return book
