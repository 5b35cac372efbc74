"""libp2p networking for attnshare: gossip, request/response, peers.

The rest of the node sees only this package's types; libp2p's types, errors
and logging stay inside it. Start here: :func:`open_p2p`.
"""

from node.net.config import NetConfig
from node.net.errors import MessageRejected, MessageTooLarge, NetError
from node.net.host import P2P, open_p2p
from node.net.stats import NetStats, PeerInfo, TopicStats

__all__ = [
    "P2P",
    "MessageRejected",
    "MessageTooLarge",
    "NetConfig",
    "NetError",
    "NetStats",
    "PeerInfo",
    "TopicStats",
    "open_p2p",
]
