"""Errors of the networking layer, and the one place libp2p's errors become ours.

Nothing above node/net/ ever sees a libp2p, multiaddr or trio-stream exception:
every call into libp2p that can fail runs inside :func:`translate_errors`,
which re-raises the failure as a :class:`NetError` (chained, so the libp2p
detail stays in the traceback for whoever debugs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import multiaddr.exceptions
import trio
from libp2p.exceptions import BaseLibp2pError

from protocol.errors import RemoteError


class NetError(RemoteError):
    """A network operation failed.

    The peer was unreachable, refused us, reset the stream, answered with an
    error, or the network cannot carry what we asked it to (see the
    subclasses). Callers treat it like any other remote failure: log, count,
    retry elsewhere; it never means our own state is corrupt.
    """


class MessageTooLarge(NetError):
    """A message exceeds a size cap (pubsub RPC cap, request or response cap)."""


class PeerBusy(NetError):
    """The peer answered "busy": it serves as much as it will right now (its limits, not a fault).

    A client retries later or elsewhere and holds nothing against the peer: an honest server
    under load says it, and charging it let sybils that kept a server busy turn its clients
    against it (review 37, finding 2).
    """


class MessageRejected(NetError):
    """Our own topic validator rejects data we were asked to publish.

    libp2p would drop such a publish silently (the local validator runs on our
    own messages too), so we refuse it loudly instead.
    """


# What libp2p and its helpers raise when a peer, socket or stream fails. Our own
# bugs (TypeError, AttributeError, ...) are deliberately *not* in this list.
LIBP2P_ERRORS: tuple[type[BaseException], ...] = (
    BaseLibp2pError,
    multiaddr.exceptions.Error,
    OSError,
    EOFError,
    trio.BrokenResourceError,
    trio.ClosedResourceError,
)


@contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Re-raise libp2p failures inside the block as ``NetError("<what>: ...")``."""
    try:
        yield
    except NetError:
        raise
    except LIBP2P_ERRORS as exc:
        raise NetError(f"{what}: {type(exc).__name__}: {exc}") from exc
