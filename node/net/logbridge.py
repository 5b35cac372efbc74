"""Route py-libp2p's log records into our logging tree, one level quieter.

``import libp2p`` configures its ``libp2p`` logger with ``propagate=False`` and
no handler, so its records bypass the application's handlers and end up on
Python's last-resort stderr handler. Most of what it logs at ERROR is ordinary
peer churn (a peer hung up mid-stream), and it logs a burst of them while a
host shuts down. We re-emit every record under ``node.net.libp2p`` one level
lower (ERROR becomes WARNING, WARNING becomes INFO, ...), and at DEBUG while
any host of this process is closing.
"""

from __future__ import annotations

import logging

TARGET = "node.net.libp2p"

_DEMOTE = {
    logging.CRITICAL: logging.ERROR,
    logging.ERROR: logging.WARNING,
    logging.WARNING: logging.INFO,
    logging.INFO: logging.DEBUG,
}


class _Bridge(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.closing_hosts = 0

    def emit(self, record: logging.LogRecord) -> None:
        level = logging.DEBUG if self.closing_hosts else _DEMOTE.get(record.levelno, logging.DEBUG)
        target = logging.getLogger(TARGET)
        if not target.isEnabledFor(level):
            return
        copy = logging.makeLogRecord(record.__dict__)
        copy.name = f"{TARGET}.{record.name.removeprefix('libp2p.')}"
        copy.levelno = level
        copy.levelname = logging.getLevelName(level)
        target.handle(copy)


_bridge: _Bridge | None = None


def install() -> None:
    """Attach the bridge to the ``libp2p`` logger (idempotent)."""
    global _bridge
    if _bridge is None:
        _bridge = _Bridge()
        logging.getLogger("libp2p").addHandler(_bridge)


class ShutdownQuiet:
    """Between enter and exit, libp2p records are logged at DEBUG (shutdown noise).

    ``__exit__`` is a no-op unless ``__enter__`` ran, so a host can call it in
    a ``finally`` whether or not it got as far as shutting down.
    """

    def __init__(self) -> None:
        self._entered = False

    def __enter__(self) -> None:
        install()
        assert _bridge is not None
        if not self._entered:
            self._entered = True
            _bridge.closing_hosts += 1

    def __exit__(self, *exc: object) -> None:
        if self._entered:
            self._entered = False
            assert _bridge is not None
            _bridge.closing_hosts -= 1
