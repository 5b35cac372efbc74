"""attnshare node: every piece of I/O (config, store, model, libp2p, admin API, CLI)."""

__version__ = "0.1.0"
