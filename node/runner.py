"""``attnshare run``: load everything from a data dir and run the daemon until a signal.

SIGINT and SIGTERM cancel the node's nursery; every component then closes what
it opened (libp2p host and its threads, admin socket, store, data-dir lock), so
the process exits with no thread or socket left behind.
"""

from __future__ import annotations

import gc
import logging
import signal
from pathlib import Path

import trio

from node.config import load_config
from node.identity import load_key
from protocol.errors import ConfigError
from protocol.genesis import Genesis


def load_genesis(path: Path) -> Genesis:
    # One reader for config and genesis files: every error is a ConfigError (node.config).
    from node.config import load_genesis as _load

    return _load(path)


def setup_logging(level: str) -> None:
    # libp2p's own logger is bridged (one level quieter) by node.net.
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def run_daemon(data_dir: Path, *, metrics_port: int | None = None, admin_tcp_port: int | None = None,
               log_level: str = "INFO") -> int:
    setup_logging(log_level)
    overrides = {"metrics_port": metrics_port, "admin_tcp_port": admin_tcp_port}
    config = load_config(data_dir, overrides)
    genesis = load_genesis(config.genesis_path)
    key = load_key(data_dir)
    from node.attention import load_scorer
    from node.core.daemon import Node

    scorer = load_scorer()
    if scorer.model_id not in genesis.accepted_model_ids:
        raise ConfigError(f"the local model {scorer.model_id} is not accepted by the genesis")
    node = Node(config, genesis, key, scorer)
    # Everything loaded so far (torch, libp2p, the model: about 240,000 objects) lives as long as
    # the process. Frozen, the cyclic collector no longer walks it: a full collection went from
    # 156 ms to 15 ms in scripts/bench_gc.py, and a vote flood no longer pauses the loop
    # that long each time it triggers one.
    gc.collect()
    gc.freeze()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                await nursery.start(node.run)
                print(f"attnshare node {key.peer_id} listening on {' '.join(node.p2p.addrs())}", flush=True)
                async for signum in signals:
                    logging.getLogger("attnshare").info("signal %s: shutting down", signal.Signals(signum).name)
                    nursery.cancel_scope.cancel()
                    break

    trio.run(main)
    return 0
