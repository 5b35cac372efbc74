"""A child process's output, copied to its log by a thread that turns one line into an event.

The process runner waits on these events instead of polling: a daemon prints
``attnshare node ... listening on ...`` once it serves, a rogue prints
``attnshare rogue ready`` once it joined and can take SIGUSR1.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable
from typing import IO

__all__ = ["ROGUE_READY_LINE", "OutputWatch"]

#: what ``python -m node.sim.rogue`` prints once joined and able to take SIGUSR1
ROGUE_READY_LINE = "attnshare rogue ready"


class OutputWatch:
    """Copies ``proc``'s stdout to ``log`` (closed at EOF); ``changed`` is set at the first line
    ``is_ready`` accepts, or when the output ends (the child exited)."""

    def __init__(self, proc: subprocess.Popen[bytes], log: IO[bytes], is_ready: Callable[[bytes], bool],
                 name: str) -> None:
        assert proc.stdout is not None, "start the child with stdout=subprocess.PIPE"
        self.proc = proc
        self.ready = False
        self.changed = threading.Event()
        self.done = threading.Event()  # set once the output ended and the log is closed
        self._log, self._is_ready = log, is_ready
        threading.Thread(target=self._pump, name=name, daemon=True).start()

    def _pump(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            for line in iter(out.readline, b""):
                self._log.write(line)
                self._log.flush()
                if not self.ready and self._is_ready(line):
                    self.ready = True
                    self.changed.set()
        finally:
            self._log.close()
            out.close()
            self.done.set()
            self.changed.set()

    def wait(self, timeout: float) -> bool | None:
        """True once ready, False if the child's output ended first, None after ``timeout`` seconds."""
        if not self.changed.wait(timeout):
            return None
        return self.ready
