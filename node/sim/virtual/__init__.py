"""The virtual engine: N copies of the node core on a modelled network and a virtual clock.

``attnshare simulate SCENARIO.toml --engine virtual`` runs a scenario here
instead of as OS processes (:mod:`node.sim.runner`). Layers, bottom up:

* :mod:`.clock`: the deterministic scheduler (virtual milliseconds, seeded randomness);
* :mod:`.net`: links, the GossipSub mesh, partitions, sync streams, byte counters;
* :mod:`.store`: a node's store, in memory;
* :mod:`.scoring`: the real model behind a window cache, or the declared cheap scorer;
* :mod:`.node`: the adapter that drives the protocol core's state machines;
* :mod:`.rogue`: the byzantine members;
* :mod:`.engine`: a scenario from start to invariants; :mod:`.report`: the report;
* :mod:`.explore`: random fault schedules, checked and minimized.
"""

from node.sim.virtual.clock import Scheduler
from node.sim.virtual.net import NetParams, VirtualNet

__all__ = ["NetParams", "Scheduler", "VirtualNet"]
