"""Review 7, finding 6: listings loaded what they did not show.

``AdminMethods.rpc_blocks`` (node/admin/methods.py) -> ``BlockReads.list_blocks``
(node/store/blockreads.py) selected ``BLOCK_COLS``, which joins ``payloads``, and read every
listed block's whole payload (up to the genesis cap, 4 MiB by default, 8 MiB at most), only to
print ``payload_bytes = len(payload)``. ``attnshare blocks`` (default ``--limit 50``, up to
100,000) therefore made the daemon read and hold 50 x 4 MiB = 200 MiB on its one store worker,
under the store lock; ``--limit 1000`` was 4 GiB. Remote proposers choose the payload sizes.
Listing six ~2.4 MiB blocks peaked at 13.9 MiB for a 1,554-byte answer. Now a listing reads
sizes (``blocks.bytes``) and no header, payload or certificate.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from node.admin.methods import AdminMethods
from node.store import Store
from node.worker import Worker
from protocol.keys import PrivateKey
from tests.node.test_syncsvc import Net, _certified, _commit, _genesis, _service

MiB = 1 << 20


async def test_listing_blocks_does_not_read_their_payloads(tmp_path: Any) -> None:
    g = _genesis(max_payload_bytes=3 * MiB)
    _svc, store = _service(tmp_path, "a", Net(), [], g)
    for seq in range(1, 7):  # six ~2.4 MiB committed blocks
        assert _commit(store, *_certified(g, seq, blob=3, n=200))
    methods = AdminMethods(SimpleNamespace(db=Worker("store"), store=store))  # type: ignore[arg-type]
    tracemalloc.start()
    try:
        rows = await methods.rpc_blocks(limit=50)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    whole = {r["block_id"]: store.get_block(r["block_id"]) for r in rows}
    store.close()
    assert len(rows) == 6
    shown = sum(len(str(r)) for r in rows)
    print(f"answer {shown} bytes, peak {peak / MiB:.1f} MiB")
    # Before the fix: ~14 MiB (every payload) read and held for an answer of ~2 KB.
    assert peak < 2 * MiB, f"listing 6 blocks held {peak / MiB:.1f} MiB for a {shown}-byte answer"
    for r in rows:  # the sizes are what they were when read from the payloads
        b = whole[r["block_id"]]
        assert b is not None
        assert b.payload is not None
        assert r["payload_bytes"] == len(b.payload) > 2 * MiB


def test_list_blocks_reports_sizes_of_header_only_and_filled_in_blocks(tmp_path: Path) -> None:
    alice = PrivateKey(bytes([2]) * 32).peer_id
    with Store.open(tmp_path / "s.db") as s:
        assert s.put_block("full", alice, 1, b"H" * 10, b"P" * 100, 1, 0, 10)
        assert s.put_block("bare", alice, 2, b"H" * 12, None, 1, 0, 20)
        assert s.put_block("late", alice, 3, b"H" * 14, None, 1, 0, 30)
        s.put_block("late", alice, 3, b"H" * 14, b"Q" * 50, 1, 0, 30)  # its payload filled in later
        got = {b.block_id: (b.bytes, b.payload_bytes) for b in s.list_blocks()}
    assert got == {"full": (110, 100), "bare": (12, None), "late": (64, 50)}
