"""The daemon core: the node and the trio adapters that drive the pure protocol core.

- :mod:`node.core.daemon`: :class:`~node.core.daemon.Node`, wiring store, model, net, consensus, pipeline, sync;
- :mod:`node.core.consensus`: the single consensus task over :class:`protocol.slots.SlotCore`;
- :mod:`node.core.consensus_effects`: how that task carries out the core's effects (store, gossip, threads);
- :mod:`node.core.pipeline`: ingest and the proposer, selecting with :class:`protocol.selection.ShipSelector`;
- :mod:`node.core.syncsvc`: sync serving and catch-up over :class:`protocol.catchup.CatchupPlanner`.

Every rule lives in ``protocol/``; these modules only carry events in and effects out.
"""
