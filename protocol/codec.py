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


class _TooManyContainers(Exception):
    pass


def unpackb(data: bytes, *, max_bytes: int, max_items: int = 100_000, max_containers: int | None = None) -> Any:
    """Decode one msgpack object from ``data`` or raise DecodeError.

    ``max_bytes`` bounds the whole input; ``max_items`` bounds any one array or
    map; ``max_containers`` (None: no bound) how many arrays and maps the whole
    input may hold. Trailing bytes, maps with non-str keys, and ext types are
    rejected.

    Why ``max_containers``: one byte is an empty array (``0x90``), which msgpack
    builds as a Python list of 56 bytes, so an input of nested empty arrays
    within ``max_items`` at every level cost a decoder 64 bytes of memory and
    about 0.3 us of CPU per input byte before any shape check ran: a 350 KB
    block announce 90-124 ms, a 16 MiB sync answer 3.8 s and 1.1 GiB (review 37,
    findings E and F). Every wire format knows how many containers it can hold;
    the count stops the decode at the first one past it.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DecodeError("expected bytes")
    if len(data) > max_bytes:
        raise DecodeError(f"message of {len(data)} bytes exceeds limit {max_bytes}")
    hooks: dict[str, Any] = {}
    if max_containers is not None:
        left = [max_containers]

        def count(obj: Any) -> Any:
            left[0] -= 1
            if left[0] < 0:
                raise _TooManyContainers
            return obj

        hooks = {"list_hook": count, "object_hook": count}
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
            **hooks,
        )
    except DecodeError:
        raise
    except _TooManyContainers:
        raise DecodeError(f"more than {max_containers} arrays and maps in {len(data)} bytes") from None
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
