"""Admin methods over a fake backend: ``peers.wait`` and ``explain`` of a record in a committed block."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import trio

from node.admin.methods import AdminMethods
from node.admin.wire import INVALID_PARAMS, AdminError


class _Db:
    async def run(self, fn: Any, *args: Any, **kw: Any) -> Any:
        return fn(*args, **kw)


class _P2P:
    """Connected peers that a test changes; ``wait_peers`` wakes on every change, as P2P's does."""

    def __init__(self) -> None:
        self.peers: list[str] = []
        self._changed = trio.Event()

    def connected_peers(self) -> list[str]:
        return list(self.peers)

    async def wait_peers(self, condition: Any) -> None:
        while not condition(self.connected_peers()):
            await self._changed.wait()

    def connect(self, peer: str) -> None:
        self.peers.append(peer)
        self._changed.set()
        self._changed = trio.Event()


def _methods(**node: Any) -> AdminMethods:
    return AdminMethods(SimpleNamespace(db=_Db(), **node))  # type: ignore[arg-type]


async def test_peers_wait_returns_at_once_when_enough_and_times_out_otherwise() -> None:
    m = _methods(p2p=_P2P())
    assert await m.rpc_peers_wait(0) == {"peers": 0, "ok": True}
    start = trio.current_time()
    assert await m.rpc_peers_wait(1, timeout_s=0.1) == {"peers": 0, "ok": False}
    assert trio.current_time() - start >= 0.1


async def test_peers_wait_wakes_on_a_connection() -> None:
    p2p = _P2P()
    m = _methods(p2p=p2p)
    out: dict[str, Any] = {}

    async def waiter() -> None:
        out.update(await m.rpc_peers_wait(2, timeout_s=30))

    async with trio.open_nursery() as n:
        n.start_soon(waiter)
        await trio.sleep(0.01)
        p2p.connect("a")
        await trio.sleep(0.01)
        assert not out
        p2p.connect("b")
    assert out == {"peers": 2, "ok": True}


@pytest.mark.parametrize(("count", "timeout_s"), [(-1, 1.0), (True, 1.0), ("2", 1.0), (1, -1), (1, 121), (1, False)])
async def test_peers_wait_refuses_bad_params(count: Any, timeout_s: Any) -> None:
    with pytest.raises(AdminError) as err:
        await _methods(p2p=_P2P()).rpc_peers_wait(count, timeout_s)
    assert err.value.code == INVALID_PARAMS


def _row(block_id: str | None) -> Any:
    return SimpleNamespace(block_id=block_id, status="committed", score=0.75, record=SimpleNamespace(cid="c1"))


async def test_explain_of_a_committed_record_uses_its_block_and_view() -> None:
    calls: list[tuple[str, int, str]] = []

    async def explain_in_block(cid: str, top_k: int, block_id: str) -> dict[str, Any]:
        calls.append((cid, top_k, block_id))
        return {"context": f"block {block_id}", "context_size": 3, "view": 7, "view_history": True, "score": 0.7}

    store = SimpleNamespace(get_record=lambda cid: _row("b1"))
    out = await _methods(store=store, explain_in_block=explain_in_block).rpc_explain("c1", top_k=4)
    assert calls == [("c1", 4, "b1")]
    assert out == {"cid": "c1", "status": "committed", "stored_score": 0.75, "context": "block b1",
                   "context_size": 3, "view": 7, "view_history": True, "score": 0.7}


async def test_explain_falls_back_to_the_stored_block_records_without_the_payload() -> None:
    async def explain_in_block(cid: str, top_k: int, block_id: str) -> None:
        return None

    rec = SimpleNamespace(cid="c1")
    store = SimpleNamespace(get_record=lambda cid: _row("b1"),
                            block_records=lambda bid: [SimpleNamespace(record=SimpleNamespace(cid="c0")),
                                                       SimpleNamespace(record=rec)])
    seen: list[Any] = []

    class _Model:
        async def run(self, fn: Any, *args: Any) -> Any:
            return fn(*args)

    def explain(context: list[Any], idx: int, top_k: int) -> dict[str, Any]:
        seen.append((len(context), idx, top_k))
        return {"score": 0.5}

    m = _methods(store=store, explain_in_block=explain_in_block, model=_Model(),
                 scorer=SimpleNamespace(explain=explain))
    out = await m.rpc_explain("c1")
    assert seen == [(2, 1, 5)]
    assert (out["context"], out["context_size"], out["score"]) == ("block b1", 2, 0.5)
