"""The simulator's link relay (node/sim/links.py): copies bytes both ways, and a black-holed link
carries, closes and refuses nothing until it heals, when what was held is delivered."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from node.sim.links import LinkRelay
from node.sim.localnet import free_port
from protocol.errors import LocalError


class _Echo:
    """A target that echoes what it reads and counts its connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._echo, args=(c,), daemon=True).start()

    def _echo(self, c: socket.socket) -> None:
        with c:
            while data := c.recv(65536):
                c.sendall(data)
        self.closed.set()


@pytest.fixture
def relay() -> Iterator[tuple[LinkRelay, _Echo]]:
    echo = _Echo()
    r = LinkRelay({(0, 1): free_port()}, {1: echo.port})
    r.start()
    yield r, echo
    r.stop()
    echo.sock.close()


def _dial(r: LinkRelay) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", r.ports[(0, 1)]), timeout=5)
    s.settimeout(5)
    return s


def _recv(s: socket.socket, n: int, timeout: float = 5.0) -> bytes:
    s.settimeout(timeout)
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            break
        out += chunk
    return out


def test_bytes_cross_both_ways_and_a_close_is_passed_on(relay: tuple[LinkRelay, _Echo]) -> None:
    r, echo = relay
    s = _dial(r)
    payload = bytes(range(256)) * 4096  # 1 MiB: more than one buffer's worth each way
    threading.Thread(target=s.sendall, args=(payload,), daemon=True).start()
    assert _recv(s, len(payload)) == payload
    s.shutdown(socket.SHUT_WR)
    assert s.recv(1) == b""  # the echo saw our EOF, closed, and its close came back
    assert echo.closed.wait(5)
    assert r.copied[(0, 1)] == 2 * len(payload)


def test_a_blackholed_link_holds_everything_until_it_heals(relay: tuple[LinkRelay, _Echo]) -> None:
    r, echo = relay
    s = _dial(r)
    s.sendall(b"before")
    assert _recv(s, 6) == b"before"
    r.block(1, 0)  # either order names the link
    assert r.blocked((0, 1))
    s.sendall(b"during")
    s.settimeout(0.5)
    with pytest.raises(TimeoutError):
        s.recv(1)  # nothing crosses
    # A new connection is taken (no refusal crosses either) but reaches nobody.
    before = echo.connections
    s2 = _dial(r)
    s2.sendall(b"second")
    time.sleep(0.3)
    assert echo.connections == before
    # A close does not cross: the echo's side stays open.
    s.shutdown(socket.SHUT_WR)
    time.sleep(0.3)
    assert not echo.closed.is_set()
    assert r.heal() == 1
    assert _recv(s, 6) == b"during"  # what was held is delivered
    assert s.recv(1) == b""  # and then the close
    assert _recv(s2, 6) == b"second"
    assert echo.connections == before + 1


def test_a_dial_to_a_node_that_is_down_is_refused() -> None:
    dead = free_port()
    r = LinkRelay({(0, 1): free_port()}, {1: dead})
    r.start()
    try:
        s = _dial(r)
        assert s.recv(1) == b""  # accepted, then closed: the daemon's port refused the relay
    finally:
        r.stop()


def test_slow_links_add_latency_each_way_in_order_then_stop(relay: tuple[LinkRelay, _Echo]) -> None:
    r, _ = relay
    s = _dial(r)
    t0 = time.monotonic()
    s.sendall(b"x")
    assert _recv(s, 1) == b"x"
    fast = time.monotonic() - t0
    r.slow(200, 1.5)
    t0 = time.monotonic()
    s.sendall(b"abc")
    s.sendall(b"def")
    assert _recv(s, 6) == b"abcdef"  # in order
    slow = time.monotonic() - t0
    assert slow >= 0.4, slow  # 200 ms out, 200 ms back
    assert fast < 0.2, fast
    time.sleep(1.6)
    t0 = time.monotonic()
    s.sendall(b"y")
    assert _recv(s, 1) == b"y"
    assert time.monotonic() - t0 < 0.2
    s.shutdown(socket.SHUT_WR)
    r.slow(100, 1.0)
    assert s.recv(1) == b""  # a close waits behind nothing held, and still crosses


def test_the_process_engine_carries_out_slow_faults_in_its_relay(tmp_path) -> None:  # noqa: ANN001
    """``slow`` was for the virtual engine only (the process engine cannot shape 127.0.0.1); a
    scenario with one now runs relayed, and the fault driver sets the relay's latency."""
    from node.sim import parse_scenario
    from node.sim.faults import FaultDriver
    from node.sim.scenario import RELAYED_KINDS, VIRTUAL_ONLY_KINDS

    sc = parse_scenario({"nodes": 2, "validators": 2, "fault": [{"kind": "slow", "at_s": 1, "latency_ms": 150}]})
    assert "slow" in RELAYED_KINDS
    assert "slow" not in VIRTUAL_ONLY_KINDS
    r = LinkRelay({(0, 1): free_port(), (1, 0): free_port()}, {0: free_port(), 1: free_port()})
    driver = FaultDriver(net=None, run_dir=tmp_path, end_of_load_s=10.0)  # type: ignore[arg-type]
    assert not driver.apply(sc.faults[0], 1.0).ok  # no relay: said, not raised
    driver.relay = r
    done = driver.apply(sc.faults[0], 1.0)
    assert done.ok, done.detail
    assert "for 5 s" in done.detail  # the virtual engine's default duration
    assert abs(r._delay(time.monotonic()) - 0.15) < 1e-9
    assert r._delay(time.monotonic() + 6) == 0.0


def test_free_ports_are_bindable_below_the_ephemeral_range_and_never_handed_out_twice(monkeypatch):
    # CI once lost a relay's port to another worker's outgoing connection between the config
    # being written and the relay binding it: dials take their local port from the ephemeral range.
    from node.sim.localnet import PORTS_ENV, default_port_window

    monkeypatch.delenv(PORTS_ENV, raising=False)
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    lo, hi = default_port_window()
    if hi - lo >= 1000:
        assert all(lo <= p < hi for p in ports)
    for p in ports[:5]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", p))


def test_workers_draw_ports_from_disjoint_slices_and_a_bad_window_is_refused(monkeypatch):
    from node.sim.localnet import PORTS_ENV, default_port_window, port_is_free, port_slice

    lo, hi = default_port_window()
    slices = [tuple(map(int, str(port_slice(i, 3)).split("-"))) for i in range(3)]
    assert slices[0][0] == lo
    assert slices[-1][1] <= hi
    assert all(a[1] <= b[0] for a, b in zip(slices, slices[1:], strict=False))  # disjoint, in order
    with pytest.raises(ValueError, match="slice 3 of 3"):
        port_slice(3, 3)
    assert port_slice(0, (hi - lo) // 50) is None  # slices too small to be worth one: no window is set

    # a window of 40 free ports: every one handed out once, then a clear error
    base = next(b for b in range(lo, hi - 40, 40) if all(port_is_free(p) for p in range(b, b + 40)))
    monkeypatch.setenv(PORTS_ENV, f"{base}-{base + 40}")
    got = {free_port() for _ in range(10)}
    assert len(got) == 10
    assert all(base <= p < base + 40 for p in got)
    used = min(got)
    monkeypatch.setenv(PORTS_ENV, f"{used}-{used + 1}")  # its one port is handed out already
    with pytest.raises(LocalError, match="no free port left"):
        free_port()

    for bad in ("20000", "x-y", "30000-20000", "80-90"):
        monkeypatch.setenv(PORTS_ENV, bad)
        with pytest.raises(LocalError, match=PORTS_ENV):
            free_port()
