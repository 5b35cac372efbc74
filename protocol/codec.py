"""Strict msgpack helpers shared by every wire format.

Canonical bytes are always a msgpack *array* (never a map), with ``use_bin_type``
so str and bytes stay distinct, and floats always as float64. Decoding passes
msgpack's own size limits (so nothing allocates past the input) and turns every
failure into :class:`protocol.errors.DecodeError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgpack

from protocol.errors import DecodeError

_PACKER_KW: dict[str, Any] = {"use_bin_type": True, "use_single_float": False, "strict_types": False}


def packb(obj: Any) -> bytes:
    """Encode ``obj`` canonically (caller guarantees arrays, not maps, for signed data)."""
    return msgpack.packb(obj, **_PACKER_KW)  # type: ignore[no-any-return]


def packer() -> Callable[[Any], bytes]:
    """A reusable :func:`packb` for loops: ``msgpack.packb`` builds a Packer per call (~2 us).

    Not thread-safe: make one per call of the function that loops.
    """
    return msgpack.Packer(autoreset=True, **_PACKER_KW).pack  # type: ignore[no-any-return]


def unpackb(data: bytes, *, max_bytes: int, max_items: int = 100_000) -> Any:
    """Decode one msgpack object from ``data`` or raise DecodeError.

    ``max_bytes`` bounds the whole input; ``max_items`` bounds any one array or
    map. Trailing bytes, maps with non-str keys, and ext types are rejected.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError("expected bytes")
    if len(data) > max_bytes:
        raise DecodeError(f"message of {len(data)} bytes exceeds limit {max_bytes}")
    try:
        return msgpack.unpackb(
            data,
            raw=False,
            strict_map_key=True,
            use_list=True,
            max_str_len=max_bytes,
            max_bin_len=max_bytes,
            max_array_len=max_items,
            max_map_len=max_items,
            max_ext_len=0,
        )
    except DecodeError:
        raise
    except Exception as exc:  # msgpack raises many types (ValueError, ExtraData, ...)
        raise DecodeError(f"malformed msgpack: {type(exc).__name__}: {exc}"[:200]) from None


def expect_list(obj: Any, length: int, what: str) -> list[Any]:
    if not isinstance(obj, list) or len(obj) != length:
        raise DecodeError(f"{what}: expected an array of {length} items")
    return obj


def expect_int(obj: Any, what: str, lo: int = 0, hi: int = 2**63 - 1) -> int:
    if not isinstance(obj, int) or isinstance(obj, bool) or not lo <= obj <= hi:
        raise DecodeError(f"{what}: expected an integer in [{lo}, {hi}]")
    return obj


def expect_str(obj: Any, what: str, max_len: int = 256) -> str:
    if not isinstance(obj, str) or len(obj) > max_len:
        raise DecodeError(f"{what}: expected a string of at most {max_len} chars")
    return obj


def expect_bytes(obj: Any, what: str, length: int | None = None, max_len: int = 1 << 20) -> bytes:
    if not isinstance(obj, bytes) or len(obj) > max_len or (length is not None and len(obj) != length):
        want = f"{length}" if length is not None else f"at most {max_len}"
        raise DecodeError(f"{what}: expected {want} bytes")
    return obj
