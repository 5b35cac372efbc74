"""Moved to :mod:`node.net.topics`; this name re-exports it for old imports."""

from node.net.topics import (  # noqa: F401
    Topics,
    Validators,
    decode_block_announce,
    encode_block_announce,
)
