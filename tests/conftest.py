"""Settings every test process shares."""

import os

from node.sim.localnet import PORTS_ENV, port_slice

# Each pytest-xdist worker makes its daemons' ports in its own slice of the port window, so that
# two workers never draw the same port between one picking it and its daemon binding it.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and PORTS_ENV not in os.environ:
    _slice = port_slice(int(_worker[2:]), int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    if _slice is not None:
        os.environ[PORTS_ENV] = _slice
