"""CLI subcommands. Each module exposes ``register(subparsers)`` and imports heavy
libraries (torch, libp2p) only inside its handlers, so ``attnshare --help`` stays fast."""
