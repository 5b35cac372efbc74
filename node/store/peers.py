"""Peers: the blocked flag that must survive a restart (and when we last saw a peer)."""

from __future__ import annotations

import json
from typing import Any

from node.store.db import Db
from node.store.rows import PeerRow


class PeersTable(Db):
    def set_peer_blocked(self, peer_id: str, blocked: bool) -> None:
        """Block or unblock a peer; a peer never seen is added so the block sticks."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO peers (peer_id, blocked) VALUES (?, ?) "
                "ON CONFLICT (peer_id) DO UPDATE SET blocked = excluded.blocked",
                (peer_id, int(bool(blocked))),
            )

    def list_peers(self, *, blocked: bool | None = None) -> list[PeerRow]:
        """Known peers, most recently seen first (``blocked=True``: what to re-block at start)."""
        sql = "SELECT peer_id, addrs, last_seen_ms, blocked FROM peers"
        args: tuple[Any, ...] = ()
        if blocked is not None:
            sql += " WHERE blocked = ?"
            args = (int(blocked),)
        with self._read() as conn:
            rows = conn.execute(
                sql + " ORDER BY last_seen_ms IS NULL, last_seen_ms DESC, peer_id", args
            ).fetchall()
        return [PeerRow(p, tuple(json.loads(a)), t, bool(b)) for p, a, t, b in rows]
