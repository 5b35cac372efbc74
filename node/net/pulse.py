"""A broadcast wake-up for "something changed, re-check your condition" waits."""

from __future__ import annotations

import trio


class Pulse:
    """Wakes every current waiter each time :meth:`fire` is called.

    Waiters loop ``while not condition(): await pulse.wait()``; firing after
    every relevant state change (and only then) makes that loop exact, with no
    polling interval to tune.
    """

    def __init__(self) -> None:
        self._event = trio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = trio.Event()

    async def wait(self) -> None:
        await self._event.wait()

    def event(self) -> trio.Event:
        """The event the next :meth:`fire` sets. Taken before checking a condition, it catches
        every change after the check, even one made before the waiter first awaits."""
        return self._event
