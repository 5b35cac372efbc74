"""The shipped model's id without importing torch (for genesis and devnet set-up)."""

from __future__ import annotations

from pathlib import Path

from protocol.cid import cid_of
from protocol.errors import ConfigError

_ATTENTION_DIR = Path(__file__).parent / "attention"


def default_weights_path() -> Path:
    from node.attention.shipped import WEIGHTS_FILE

    path = _ATTENTION_DIR / WEIGHTS_FILE
    if not path.exists():
        raise ConfigError(f"the shipped model checkpoint {path} is missing; reinstall attnshare")
    return path


def default_model_id() -> str:
    """CID of the shipped weights file's bytes: the default model_id in blocks and genesis."""
    return cid_of(default_weights_path().read_bytes())
