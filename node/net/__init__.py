"""libp2p networking for attnshare: gossip, request/response, peers, per-peer budgets.

The rest of the node sees only this package's types; libp2p's types, errors
and logging stay inside it. Start here: :func:`open_p2p`. The parameters
(:class:`NetParams`, :class:`BudgetParams`) import without libp2p, so the
config loader can use them; everything else loads on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from node.net.budget import BudgetParams
from node.net.config import NetConfig, NetParams

if TYPE_CHECKING:
    from node.net.errors import MessageRejected, MessageTooLarge, NetError, PeerBusy
    from node.net.host import P2P, open_p2p
    from node.net.stats import NetStats, PeerInfo, TopicStats

_LAZY = {
    "MessageRejected": "node.net.errors",
    "MessageTooLarge": "node.net.errors",
    "NetError": "node.net.errors",
    "PeerBusy": "node.net.errors",
    "P2P": "node.net.host",
    "open_p2p": "node.net.host",
    "NetStats": "node.net.stats",
    "PeerInfo": "node.net.stats",
    "TopicStats": "node.net.stats",
}

__all__ = [
    "P2P",
    "BudgetParams",
    "MessageRejected",
    "MessageTooLarge",
    "NetConfig",
    "NetError",
    "NetParams",
    "NetStats",
    "PeerBusy",
    "PeerInfo",
    "TopicStats",
    "open_p2p",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'node.net' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
