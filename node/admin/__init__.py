"""Local admin API: JSON-RPC 2.0 over a Unix socket in the data dir (mode 0600), or TCP.

The package is split so the CLI never imports trio or the daemon:

* :mod:`node.admin.wire` framing, parsing, limits (:class:`AdminParams`), errors: pure;
* :mod:`node.admin.client` the blocking client the CLI uses;
* :mod:`node.admin.methods` every method, over a Protocol the daemon satisfies;
* :mod:`node.admin.server` the trio servers (imported only by the daemon).

Importing this package imports the client side only; ``serve_admin`` and
``serve_admin_tcp`` are loaded from the server module on first use.
"""

from __future__ import annotations

from typing import Any

from node.admin.client import AdminClient
from node.admin.wire import TOKEN_FILE, AdminError, AdminParams

__all__ = ["TOKEN_FILE", "AdminClient", "AdminError", "AdminParams", "serve_admin", "serve_admin_tcp"]


def __getattr__(name: str) -> Any:
    # Lazy: the server needs trio, the CLI must not pay for it.
    if name in ("serve_admin", "serve_admin_tcp", "AdminMethods"):
        from node.admin import server

        return getattr(server, name)
    raise AttributeError(f"module 'node.admin' has no attribute {name!r}")
