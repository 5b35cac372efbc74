"""Moved to :mod:`node.sim.cluster` (the sim room). This name is the same module object, kept for
callers not yet updated (monkeypatching ``node.cluster`` patches ``node.sim.cluster``)."""

import sys

from node.sim import cluster as _impl

sys.modules[__name__] = _impl
