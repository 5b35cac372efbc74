"""cluster.wait_until: event-driven, re-checks only when a node's change signal fires."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import trio

from node.net.pulse import Pulse
from node.sim.cluster import wait_until


def _fake_node() -> SimpleNamespace:
    return SimpleNamespace(consensus=SimpleNamespace(changed=Pulse()), pipeline=SimpleNamespace(changed=Pulse()),
                           sync=SimpleNamespace(changed=Pulse()))


async def test_wakes_on_a_change_signal(autojump_clock):
    node, state = _fake_node(), {"done": False}

    async def change_later() -> None:
        await trio.sleep(3)
        state["done"] = True
        node.sync.changed.fire()

    start = trio.current_time()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(change_later)
        await wait_until([node], lambda: state["done"], 10, "done")
    assert trio.current_time() - start == pytest.approx(3)


async def test_a_change_before_the_first_await_is_not_missed(autojump_clock):
    node, state = _fake_node(), {"checks": 0}

    def cond() -> bool:
        state["checks"] += 1
        if state["checks"] == 1:  # the change lands right after the first check
            node.consensus.changed.fire()
            return False
        return True

    with trio.fail_after(1):
        await wait_until([node], cond, 10, "cond")
    assert state["checks"] == 2


async def test_no_signal_no_recheck(autojump_clock):
    """A condition that turns true with no signal is not seen: nothing polls on a timer."""
    node, state = _fake_node(), {"done": False, "checks": 0}

    def cond() -> bool:
        state["checks"] += 1
        return state["done"]

    async def change_silently() -> None:
        await trio.sleep(1)
        state["done"] = True

    async with trio.open_nursery() as nursery:
        nursery.start_soon(change_silently)
        with pytest.raises(AssertionError, match="timed out after 5s waiting for silent"):
            await wait_until([node], cond, 5, "silent")
    assert state["checks"] == 1
