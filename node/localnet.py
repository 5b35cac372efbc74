"""Moved to :mod:`node.sim.localnet` (the sim room). This name is the same module object, kept for
callers not yet updated."""

import sys

from node.sim import localnet as _impl

sys.modules[__name__] = _impl
