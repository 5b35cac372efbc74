"""The shipped model's id without importing torch (for genesis and devnet set-up)."""

from __future__ import annotations

from pathlib import Path

from protocol.cid import cid_of
from protocol.errors import ConfigError

_ATTENTION_DIR = Path(__file__).parent / "attention"


#: must equal node.attention.scorer.DEFAULT_CHECKPOINT (a test checks); repeated
#: here because importing node.attention imports torch (~2 s).
WEIGHTS_FILE = "model.pt"


def default_weights_path() -> Path:
    path = _ATTENTION_DIR / WEIGHTS_FILE
    if not path.exists():
        raise ConfigError(f"the shipped model checkpoint {path} is missing; reinstall attnshare")
    return path


def default_model_id() -> str:
    """CID of the shipped weights file's bytes: the default model_id in blocks and genesis."""
    return cid_of(default_weights_path().read_bytes())
