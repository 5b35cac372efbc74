"""OutputWatch (node/sim/childout.py): a child's readiness line becomes an event, its output a log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from node.sim.childout import ROGUE_READY_LINE, OutputWatch


def _child(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _is_ready(line: bytes) -> bool:
    return line.strip() == ROGUE_READY_LINE.encode()


def test_the_ready_line_sets_the_event_and_everything_reaches_the_log(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    # The child stays up after its ready line until its stdin closes: readiness must not need an exit.
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import sys; print('starting'); print({ROGUE_READY_LINE!r}, flush=True); "
                               "sys.stdin.read(); print('bye')"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    watch = OutputWatch(proc, open(log, "ab"), _is_ready, "test-child")  # noqa: SIM115 - closed by the watch
    assert watch.wait(30) is True
    assert not watch.done.is_set()
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(30)
    assert watch.done.wait(30)
    assert log.read_bytes().splitlines() == [b"starting", ROGUE_READY_LINE.encode(), b"bye"]


def test_a_child_that_exits_first_is_not_ready(tmp_path: Path) -> None:
    proc = _child("import sys; print('boom'); sys.exit(3)")
    watch = OutputWatch(proc, open(tmp_path / "c.log", "ab"), _is_ready, "test-child")  # noqa: SIM115
    assert watch.wait(30) is False
    assert proc.wait(30) == 3
    assert b"boom" in (tmp_path / "c.log").read_bytes()


def test_waiting_times_out_while_the_child_says_nothing(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    watch = OutputWatch(proc, open(tmp_path / "s.log", "ab"), _is_ready, "test-child")  # noqa: SIM115
    try:
        assert watch.wait(0.2) is None
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(30)
