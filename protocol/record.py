"""The Record: one local piece of information (a listing, a trade, a reading...).

A record is ``kind``, ``origin`` (peer id of the node that ingested it),
``ts_ms`` and ``fields``: a map from str to int, float, str, bool, bytes, or a
flat list of these. Its canonical bytes are the msgpack array
``[kind, origin, ts_ms, [[key, value], ...]]`` with keys sorted, so the same
record always yields the same bytes, and its id is the CID of those bytes.

Decoding enforces :class:`RecordLimits` (field count, string/bytes length, list
length, nesting, total size) *before* building anything, and the constructor
enforces the same rules, so a Record that exists is always well formed.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgpack

from protocol.cid import cid_of
from protocol.codec import expect_int, expect_list, expect_str, packb, packer, unpackb
from protocol.errors import DecodeError, LocalError, SignatureError
from protocol.keys import validate_peer_id

Scalar = int | float | str | bool | bytes
FieldValue = Scalar | tuple[Scalar, ...]

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_FINITE = math.isfinite


@dataclass(frozen=True, slots=True)
class RecordLimits:
    """Bounds every decoder and constructor enforces (all inclusive)."""

    max_total_bytes: int = 16 * 1024
    max_fields: int = 64
    max_kind_len: int = 64
    max_key_len: int = 64
    max_str_len: int = 4096
    max_bytes_len: int = 4096
    max_list_len: int = 64
    # Scalar values in all (each list item counts). Python holds a value in 50-80 bytes whatever its
    # wire size, so 64 fields of 64 one-character strings (12 KiB on the wire) decoded to 422 KiB
    # (review 25): a committed block of 1,024 such records pinned 422 MiB in every node. At 256,
    # four times the fields, the worst record measured decodes to 49 KiB. No generator here writes
    # lists at all; a list of 64 readings still fits beside 63 other fields of lists of three.
    max_values: int = 256


DEFAULT_LIMITS = RecordLimits()


def _check_scalar(v: Any, lim: RecordLimits, where: str) -> Scalar:
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        if not INT_MIN <= v <= INT_MAX:
            raise DecodeError(f"{where}: integer out of 64-bit range")
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise DecodeError(f"{where}: NaN and infinity are not allowed")
        return v
    if isinstance(v, str):
        if len(v) > lim.max_str_len:
            raise DecodeError(f"{where}: string longer than {lim.max_str_len}")
        return v
    if isinstance(v, bytes):
        if len(v) > lim.max_bytes_len:
            raise DecodeError(f"{where}: bytes longer than {lim.max_bytes_len}")
        return v
    raise DecodeError(f"{where}: unsupported value type {type(v).__name__}")


def _check_value(v: Any, lim: RecordLimits, where: str) -> FieldValue:
    if isinstance(v, list | tuple):
        if len(v) > lim.max_list_len:
            raise DecodeError(f"{where}: list longer than {lim.max_list_len}")
        out = []
        for i, item in enumerate(v):
            if isinstance(item, list | tuple | dict):
                raise DecodeError(f"{where}[{i}]: nested containers are not allowed")
            out.append(_check_scalar(item, lim, f"{where}[{i}]"))
        return tuple(out)
    return _check_scalar(v, lim, where)


def _check_fields(fields: Mapping[str, Any], lim: RecordLimits) -> tuple[tuple[str, FieldValue], ...]:
    fast = _check_fields_fast(fields, lim)
    return fast if fast is not None else _check_fields_general(fields, lim)


_SCALAR_TYPES = frozenset({str, int, float, bool, bytes})


def _check_fields_fast(fields: Mapping[str, Any], lim: RecordLimits) -> tuple[tuple[str, FieldValue], ...] | None:
    """The rules of :func:`_check_fields_general` for exact builtin types, in one tight loop.

    Ingest validated every value through three calls and an isinstance chain
    (about 9 us of a record's 16). This loop dispatches on ``type()``; on
    anything it does not accept outright (a subclass, a bad value, too many
    fields) it returns None and the caller runs the general path, so errors
    and results stay exactly those of the general path.
    """
    if len(fields) > lim.max_fields:
        return None
    max_key, max_str, max_bytes, max_list = lim.max_key_len, lim.max_str_len, lim.max_bytes_len, lim.max_list_len
    values, max_values = len(fields), lim.max_values
    items: list[tuple[str, FieldValue]] = []
    for k, v in fields.items():
        if type(k) is not str or not 0 < len(k) <= max_key:
            return None
        t = type(v)
        if t is str:
            if len(v) > max_str:
                return None
        elif t is int:
            if not INT_MIN <= v <= INT_MAX:
                return None
        elif t is float:
            if not _FINITE(v):
                return None
        elif t is list or t is tuple:
            if len(v) > max_list:
                return None
            values += len(v) - 1
            for x in v:
                tx = type(x)
                if tx not in _SCALAR_TYPES:
                    return None
                if tx is str:
                    if len(x) > max_str:
                        return None
                elif tx is int:
                    if not INT_MIN <= x <= INT_MAX:
                        return None
                elif tx is float:
                    if not _FINITE(x):
                        return None
                elif tx is bytes and len(x) > max_bytes:
                    return None
            v = tuple(v)
        elif t is bytes:
            if len(v) > max_bytes:
                return None
        elif t is not bool:
            return None
        items.append((k, v))
    if values > max_values:
        return None
    items.sort(key=_first)
    return tuple(items)


def _first(kv: tuple[str, FieldValue]) -> str:
    return kv[0]


def _check_fields_general(fields: Mapping[str, Any], lim: RecordLimits) -> tuple[tuple[str, FieldValue], ...]:
    if len(fields) > lim.max_fields:
        raise DecodeError(f"record has {len(fields)} fields, limit {lim.max_fields}")
    items = []
    values = 0
    for k, v in fields.items():
        if not isinstance(k, str) or not 0 < len(k) <= lim.max_key_len:
            raise DecodeError(f"field name must be a non-empty string of at most {lim.max_key_len} chars")
        checked = _check_value(v, lim, f"field {k!r}")
        values += len(checked) if isinstance(checked, tuple) else 1
        items.append((k, checked))
    if values > lim.max_values:
        raise DecodeError(f"record holds {values} values, limit {lim.max_values} (each list item counts)")
    items.sort(key=lambda kv: kv[0])
    return tuple(items)


@dataclass(frozen=True, slots=True)
class Record:
    """A validated record. ``fields`` is stored as sorted (key, value) pairs."""

    kind: str
    origin: str
    ts_ms: int
    items: tuple[tuple[str, FieldValue], ...]
    _bytes: bytes = field(default=b"", repr=False, compare=False)
    # Lazily computed id: CIDs are looked up many times per record (dedup,
    # store, commit) and base32 in CPython is pure Python (~17 us each).
    _cid: str = field(default="", repr=False, compare=False)

    @classmethod
    def create(
        cls,
        kind: str,
        origin: str,
        ts_ms: int,
        fields: Mapping[str, Any],
        limits: RecordLimits = DEFAULT_LIMITS,
    ) -> Record:
        """Build a record, validating everything; raises DecodeError on bad input."""
        if not isinstance(kind, str) or not 0 < len(kind) <= limits.max_kind_len:
            raise DecodeError(f"kind must be a non-empty string of at most {limits.max_kind_len} chars")
        try:
            validate_peer_id(origin)
        except SignatureError as exc:
            # An origin that embeds a small-order key is malformed record
            # content; decode_record promises DecodeError only.
            raise DecodeError(f"record origin: {exc}") from None
        expect_int(ts_ms, "ts_ms", 0, INT_MAX)
        if not isinstance(fields, Mapping):
            raise DecodeError("fields must be a map")
        items = _check_fields(fields, limits)
        try:
            raw = packb([kind, origin, ts_ms, [[k, list(v) if isinstance(v, tuple) else v] for k, v in items]])
        except UnicodeEncodeError:
            # Lone surrogates (e.g. "\ud800" from JSON) have no UTF-8 form.
            raise DecodeError("record strings must be valid Unicode (no lone surrogates)") from None
        if len(raw) > limits.max_total_bytes:
            raise DecodeError(f"record of {len(raw)} bytes exceeds limit {limits.max_total_bytes}")
        return cls(kind, origin, ts_ms, items, raw)

    @property
    def fields(self) -> dict[str, FieldValue]:
        return dict(self.items)

    def canonical_bytes(self) -> bytes:
        return self._bytes

    @property
    def cid(self) -> str:
        """Record id: CIDv1 of the canonical bytes."""
        if not self._cid:
            object.__setattr__(self, "_cid", cid_of(self._bytes))
        return self._cid

    def text(self) -> str:
        """Searchable text: kind plus every field name and textual value."""
        parts = [self.kind]
        for k, v in self.items:
            # Exact scalar types first (every committed record is indexed with this on each node);
            # the general expression covers lists, bytes and subclasses.
            t = type(v)
            if isinstance(v, str):
                parts.append(k + " " + v)
            elif t is int or t is float or t is bool:
                parts.append(k + " " + repr(v))
            else:
                vals = v if isinstance(v, tuple) else (v,)
                parts.append(
                    k + " " + " ".join([x if isinstance(x, str) else repr(x) for x in vals if not isinstance(x, bytes)])
                )
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """JSON-safe dict; bytes become ``{"$b64": ...}``."""
        def conv(x: Any) -> Any:
            if isinstance(x, bytes):
                return {"$b64": base64.b64encode(x).decode("ascii")}
            if isinstance(x, tuple):
                return [conv(i) for i in x]
            return x
        return {"kind": self.kind, "origin": self.origin, "ts_ms": self.ts_ms,
                "fields": {k: conv(v) for k, v in self.items}}


def held_bytes_estimate(records: Iterable[Record]) -> int:
    """An upper estimate of the memory decoded ``records`` hold (objects and canonical bytes).

    A string is at most 80 bytes plus 4 a character (CPython's widest form) and never more than
    its UTF-8 bytes allow; a number 32; each field a 56-byte pair; each list item its 8-byte slot and
    object. So a record holds at most 256 + 5 x its canonical bytes + 208 a field + 64 a list item
    (review 25: 64 fields of 64 one-character strings were 422 KiB decoded from 12 KiB on the wire;
    measured against tracemalloc in ``tests/protocol/test_record.py``). The slot machine
    charges evaluated blocks' records with it (``SlotParams.max_open_bytes``)."""
    total = 0
    for r in records:
        items = r.items
        n = 256 + 5 * len(r._bytes) + 208 * len(items)
        for _, v in items:
            if type(v) is tuple:
                n += 64 * len(v)
        total += n
    return total


_JSON_SCALARS = frozenset({str, int, float, bool})


def record_from_json(obj: Any, origin: str, limits: RecordLimits = DEFAULT_LIMITS) -> Record:
    """Build a record from a parsed JSON object ``{"kind", "ts_ms", "fields"}``.

    ``origin`` in the object, if present, is ignored unless it equals the given
    one: a node only ingests records under its own peer id. Raises LocalError
    with a message fit for a user on any mistake.
    """
    if not isinstance(obj, dict):
        raise LocalError("record must be a JSON object")
    missing = [k for k in ("kind", "ts_ms", "fields") if k not in obj]
    if missing:
        raise LocalError(f"record is missing {', '.join(missing)}")
    unknown = set(obj) - {"kind", "ts_ms", "fields", "origin"}
    if unknown:
        raise LocalError(f"record has unknown keys: {', '.join(sorted(unknown))}")
    ts = obj["ts_ms"]
    if isinstance(ts, float) and ts.is_integer():
        ts = int(ts)
    fields = obj["fields"]
    if not isinstance(fields, dict):
        raise LocalError("fields must be a JSON object")
    try:
        # JSON scalars pass unchanged: only what may be converted, flattened or refused is walked.
        if all(type(v) in _JSON_SCALARS and (type(v) is not int or INT_MIN <= v <= INT_MAX) for v in fields.values()):
            converted = fields
        else:
            converted = {}
            _flatten_json(fields, "", 0, converted)
        return Record.create(obj["kind"], origin, ts, converted, limits)
    except DecodeError as exc:
        raise LocalError(str(exc)) from None


# How deep a JSON object may nest in a record's fields before it is refused (flattened names are
# also bounded by ``max_key_len``, so this only bounds the walk).
MAX_JSON_DEPTH = 16


def _flatten_json(obj: dict[str, Any], prefix: str, depth: int, out: dict[str, Any]) -> None:
    """A record's fields from a JSON object as people write them (docs/protocol.md, "Records from JSON").

    Records hold flat fields of scalars and lists of scalars, so the JSON a user already has is
    read into that form rather than refused: a nested object's fields are named by their path
    (``{"engine": {"temp_c": 90}}`` is the field ``engine.temp_c``); a null is no value, so its
    field is left out (a null in a list is left out of the list); an object or a list inside a list
    becomes its JSON text, an item of the list; an integer beyond 64 bits becomes its digits. ``{"$b64": "..."}`` is bytes, as before. A name
    that comes out twice (``{"a.b": 1, "a": {"b": 2}}``) is refused, and so is nesting deeper than
    :data:`MAX_JSON_DEPTH`.
    """
    if depth > MAX_JSON_DEPTH:
        raise LocalError(f"fields nest deeper than {MAX_JSON_DEPTH} objects")
    for k, v in obj.items():
        name = f"{prefix}.{k}" if prefix else k
        t = type(v)
        if t is int:
            value: Any = _json_int(v)
        elif t in _JSON_SCALARS:
            value = v
        elif v is None:
            continue
        elif isinstance(v, dict):
            if _is_b64(v):
                value = _b64(v)
            else:
                _flatten_json(v, name, depth + 1, out)
                continue
        elif isinstance(v, list):
            value = [_list_item(x) for x in v if x is not None]
        else:
            value = v  # Record.create says what is wrong with it
        if name in out:
            raise LocalError(f"field {name!r} is named twice once nested objects are flattened")
        out[name] = value


def _is_b64(x: dict[str, Any]) -> bool:
    return set(x) == {"$b64"} and isinstance(x["$b64"], str)


def _b64(x: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(x["$b64"], validate=True)
    except ValueError:
        raise LocalError("bad base64 in $b64 value") from None


def _json_int(v: int) -> int | str:
    """An integer beyond 64 bits (an id or a count some JSON writers emit) is kept as its digits:
    text, which the featurizer still reads as a number (node/attention/quantity.py)."""
    return v if INT_MIN <= v <= INT_MAX else str(v)


def _list_item(x: Any) -> Any:
    if type(x) is int:
        return _json_int(x)
    if isinstance(x, dict):
        return _b64(x) if _is_b64(x) else json.dumps(x, ensure_ascii=False, separators=(",", ":"))
    if isinstance(x, list):
        return json.dumps(x, ensure_ascii=False, separators=(",", ":"))
    return x


def decode_record(data: bytes, limits: RecordLimits = DEFAULT_LIMITS) -> Record:
    """Decode canonical record bytes; raises DecodeError on anything else."""
    obj = unpackb(data, max_bytes=limits.max_total_bytes, max_items=max(limits.max_fields, limits.max_list_len, 4),
                 max_containers=2 + 2 * limits.max_fields)  # the record, its pairs, each pair and list value
    return record_from_obj(obj, limits, data)


def record_from_obj(obj: Any, limits: RecordLimits = DEFAULT_LIMITS, raw: bytes | None = None) -> Record:
    """Build a record from an already-unpacked canonical array; requires canonical form."""
    kind, origin, ts_ms, pairs = expect_list(obj, 4, "record")
    expect_str(kind, "record kind", limits.max_kind_len)
    expect_str(origin, "record origin", 64)
    if not isinstance(pairs, list) or len(pairs) > limits.max_fields:
        raise DecodeError("record fields: expected an array of at most max_fields pairs")
    fields: dict[str, Any] = {}
    for p in pairs:
        k, v = expect_list(p, 2, "record field")
        if not isinstance(k, str) or k in fields:
            raise DecodeError("record field names must be unique strings")
        fields[k] = v
    rec = Record.create(kind, origin, ts_ms, fields, limits)
    if raw is not None and rec.canonical_bytes() != bytes(raw):
        raise DecodeError("record bytes are not canonical")
    return rec


# --- bulk decoding ---------------------------------------------------------------------
#
# A block payload holds up to thousands of records, and decoding them one by
# one through Record.create cost about 45 us each: a sort, a rebuilt dict and
# a Python call per value. decode_records applies the same rules in one tight
# loop: msgpack's C unpacker enforces coarse length bounds while it parses,
# canonical order is checked instead of produced (keys must already be strictly
# increasing, as Record.create sorts them), each origin is validated once per
# call, and the canonical-bytes check re-packs the unpacked tree in one C call.
# tests/protocol/test_record.py checks that it accepts and rejects exactly what
# decode_record does, and yields equal records.


def _bulk_error(i: int, what: str) -> DecodeError:
    return DecodeError(f"record {i}: {what}")


def decode_records(items: list[Any] | tuple[Any, ...], limits: RecordLimits = DEFAULT_LIMITS) -> tuple[Record, ...]:
    """Decode many canonical records at once; the rules of :func:`decode_record`, faster.

    ``items`` are the records' bytes (as unpacked from a payload array). Raises
    DecodeError naming the index of the first bad record.
    """
    lim = limits
    # Coarse bounds for the C unpacker (a UTF-8 character takes up to 4 bytes;
    # exact character counts are checked below).
    max_str_bytes = 4 * max(lim.max_str_len, lim.max_kind_len, lim.max_key_len, 64)
    max_arr = max(4, lim.max_fields, lim.max_list_len)
    max_total, max_kind, max_key = lim.max_total_bytes, lim.max_kind_len, lim.max_key_len
    max_str, max_bytes, max_fields, max_list = lim.max_str_len, lim.max_bytes_len, lim.max_fields, lim.max_list_len
    max_values = lim.max_values
    unpack = msgpack.unpackb
    pack = packer()  # one per call: a Packer is not thread-safe
    good_origins: set[str] = set()
    out = []
    for i, data in enumerate(items):
        if type(data) is not bytes:
            raise _bulk_error(i, "expected bytes")
        if len(data) > max_total:
            raise _bulk_error(i, f"record of {len(data)} bytes exceeds limit {max_total}")
        try:
            obj = unpack(data, raw=False, strict_map_key=True, use_list=True, max_str_len=max_str_bytes,
                         max_bin_len=max_bytes, max_array_len=max_arr, max_map_len=0, max_ext_len=0)
        except Exception as exc:  # msgpack raises many types
            raise _bulk_error(i, f"malformed msgpack: {type(exc).__name__}: {exc}"[:200]) from None
        if type(obj) is not list or len(obj) != 4:
            raise _bulk_error(i, "expected an array of 4 items")
        kind, origin, ts_ms, pairs = obj
        if type(kind) is not str or not 0 < len(kind) <= max_kind:
            raise _bulk_error(i, f"kind must be a non-empty string of at most {max_kind} chars")
        if origin not in good_origins:
            if type(origin) is not str or len(origin) > 64:
                raise _bulk_error(i, "origin: expected a peer id string")
            try:
                validate_peer_id(origin)
            except (DecodeError, SignatureError) as exc:
                raise _bulk_error(i, f"origin: {exc}") from None
            good_origins.add(origin)
        if type(ts_ms) is not int or not 0 <= ts_ms <= INT_MAX:
            raise _bulk_error(i, f"ts_ms: expected an integer in [0, {INT_MAX}]")
        if type(pairs) is not list or len(pairs) > max_fields:
            raise _bulk_error(i, f"fields: expected an array of at most {max_fields} pairs")
        fields: list[tuple[str, FieldValue]] = []
        prev = ""
        values = len(pairs)
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise _bulk_error(i, "field: expected a [name, value] pair")
            k, v = pair
            if type(k) is not str or not 0 < len(k) <= max_key:
                raise _bulk_error(i, f"field name must be a non-empty string of at most {max_key} chars")
            # Canonical order is strictly increasing names (also rules out duplicates).
            if k <= prev:
                raise _bulk_error(i, "field names must be unique and in canonical order")
            prev = k
            t = type(v)
            if t is str:
                if len(v) > max_str:
                    raise _bulk_error(i, f"field {k!r:.40}: string longer than {max_str}")
            elif t is int:
                if v > INT_MAX:  # msgpack ints are never below INT_MIN
                    raise _bulk_error(i, f"field {k!r:.40}: integer out of 64-bit range")
            elif t is float:
                if not _FINITE(v):
                    raise _bulk_error(i, f"field {k!r:.40}: NaN and infinity are not allowed")
            elif t is list:
                if len(v) > max_list:
                    raise _bulk_error(i, f"field {k!r:.40}: list longer than {max_list}")
                values += len(v) - 1
                for x in v:
                    tx = type(x)
                    if tx is str:
                        if len(x) > max_str:
                            raise _bulk_error(i, f"field {k!r:.40}: string longer than {max_str}")
                    elif tx is int:
                        if x > INT_MAX:
                            raise _bulk_error(i, f"field {k!r:.40}: integer out of 64-bit range")
                    elif tx is float:
                        if not _FINITE(x):
                            raise _bulk_error(i, f"field {k!r:.40}: NaN and infinity are not allowed")
                    elif tx is not bytes and tx is not bool:
                        raise _bulk_error(i, f"field {k!r:.40}: unsupported or nested value in a list")
                v = tuple(v)
            elif t is not bytes and t is not bool:
                raise _bulk_error(i, f"field {k!r:.40}: unsupported value type {t.__name__}")
            fields.append((k, v))
        if values > max_values:
            raise _bulk_error(i, f"record holds {values} values, limit {max_values} (each list item counts)")
        # Same bytes as Record.create would produce, or not canonical.
        if pack(obj) != data:
            raise _bulk_error(i, "record bytes are not canonical")
        out.append(Record(kind, origin, ts_ms, tuple(fields), data))
    return tuple(out)
