"""Featurization: any record, whatever its schema, becomes one token.

Two stages, because featurization in Python is the bottleneck (see
shared/notes/attention-model.md):

1. :func:`featurize_record` depends on the record alone, so a node computes it
   once when a record arrives and keeps it (:class:`FeatureCache` does that,
   keyed by canonical bytes). It hashes the kind, every field name and every
   categorical value or text word into 64-bit token ids, squashes numbers with
   a signed log, and digests the content (kind and fields, not origin or
   time) so exact duplicates compare equal.
2. :func:`assemble_window` turns a sequence of those into tensors in a few
   vectorized torch ops: the hashed bag of tokens, numbers robustly normalized
   *within the window* (median and MAD of the same kind and field), age
   relative to the newest record of the window, and rarity of the kind and of
   the rarest token in the window.

Everything is a function of the records and their order only: no clock, no
process-dependent hashing (``hash()`` of a str is salted per process, so ids
come from blake2b), nothing random.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import msgpack
import torch

from protocol.record import Record

__all__ = [
    "CTX_DIM",
    "HASH_DIM",
    "KIND_BUCKETS",
    "NUM_BUCKETS",
    "NUM_FEATS",
    "NUM_SLOTS",
    "FeatureCache",
    "RecordFeatures",
    "WindowFeatures",
    "assemble_window",
    "featurize",
    "featurize_record",
]

HASH_DIM = 256  # signed feature-hashing width of the bag of tokens
NUM_SLOTS = 8  # numeric fields kept per record (first in key order)
NUM_BUCKETS = 64  # hashed numeric field names
KIND_BUCKETS = 256  # hashed kinds
NUM_FEATS = 4  # per numeric slot: value, robust z, |z| squashed, group size
CTX_DIM = 8  # per record window context, see assemble_window
_MAX_WORDS = 32  # words kept from one text value
_MAX_LIST = 16  # list elements kept from one list value
_SLOG_CLIP = 60.0
_Z_CLIP = 12.0
_TEXT_MIN_LEN = 40  # a string this long, or with whitespace, is text: split into words

_CACHE_LIMIT = 200_000
_token_ids: dict[str, int] = {}


def _tid(token: str) -> int:
    """Stable 63-bit id of a token string (memoized; blake2b is process-independent)."""
    v = _token_ids.get(token)
    if v is None:
        if len(_token_ids) >= _CACHE_LIMIT:
            _token_ids.clear()
        v = int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") >> 1
        _token_ids[token] = v
    return v


def _slog(x: float) -> float:
    """Signed log: keeps order and sign, tames any magnitude, maps 0 to 0."""
    if x != x:  # NaN cannot come from a validated Record; never let it through
        return 0.0
    if math.isinf(x):
        return _SLOG_CLIP if x > 0 else -_SLOG_CLIP
    v = math.log1p(abs(x))
    return min(v, _SLOG_CLIP) if x >= 0 else -min(v, _SLOG_CLIP)


@dataclass(frozen=True, slots=True)
class RecordFeatures:
    """Per-record features: a function of the record alone, safe to cache.

    ``tokens`` are 63-bit ids of the kind, field names, categorical values
    and text words; ``num_*`` are up to NUM_SLOTS numeric fields (key id for
    within-window grouping, signed-log value); ``content`` digests kind and
    fields so exact duplicates share it; ``kind_id``/``origin_id`` group
    records for the pairwise attention bias.
    """

    kind_id: int
    origin_id: int
    ts_ms: int
    content: int
    tokens: tuple[int, ...]
    num_keys: tuple[int, ...]
    num_vals: tuple[float, ...]
    n_fields: int


def featurize_record(record: Record) -> RecordFeatures:
    """Featurize one record. Never raises on anything a Record can hold."""
    kind = record.kind
    tokens = [_tid("kind\x00" + kind)]
    num_keys: list[int] = []
    num_vals: list[float] = []

    def number(key: str, x: float) -> None:
        if len(num_keys) < NUM_SLOTS:
            num_keys.append(_tid("num\x00" + kind + "\x00" + key))
            num_vals.append(_slog(x))
            if x != x:
                tokens.append(_tid("nan\x00" + key))

    def scalar(key: str, v: object, in_list: bool) -> None:
        if isinstance(v, bool):
            tokens.append(_tid("v\x00" + key + "\x00" + ("true" if v else "false")))
        elif isinstance(v, int | float):
            if not in_list:
                number(key, float(v))
            # Small integers are usually codes (priority 3, level 2): a token too.
            if isinstance(v, int) and -8 <= v <= 8:
                tokens.append(_tid("v\x00" + key + "\x00" + str(v)))
        elif isinstance(v, str):
            if len(v) >= _TEXT_MIN_LEN or " " in v:
                for w in v.lower().split()[:_MAX_WORDS]:
                    tokens.append(_tid("w\x00" + key + "\x00" + w))
            else:
                tokens.append(_tid("v\x00" + key + "\x00" + v))
        elif isinstance(v, bytes | bytearray):
            number(key + "#bytes", float(len(v)))
        else:  # not a Record value type; still a valid token, never a crash
            tokens.append(_tid("t\x00" + key + "\x00" + type(v).__name__))

    for key, value in record.items:
        tokens.append(_tid("k\x00" + key))
        if isinstance(value, tuple | list):
            number(key + "#n", float(len(value)))
            nums = [float(x) for x in value if isinstance(x, int | float) and not isinstance(x, bool)]
            if nums:
                number(key + "#mean", sum(nums) / len(nums))
            for x in value[:_MAX_LIST]:
                scalar(key, x, True)
        else:
            scalar(key, value, False)
    return RecordFeatures(
        kind_id=_tid(kind),
        origin_id=_tid("origin\x00" + record.origin),
        ts_ms=record.ts_ms,
        content=_content_id(record),
        tokens=tuple(tokens),
        num_keys=tuple(num_keys),
        num_vals=tuple(num_vals),
        n_fields=len(record.items),
    )


def _content_id(record: Record) -> int:
    """Digest of kind and fields: the canonical bytes without origin and ts_ms."""
    raw = record.canonical_bytes()
    # Canonical bytes are [kind, origin, ts_ms, pairs]: skip the two middle items.
    head = 1 + len(msgpack.packb(record.kind))
    skip = len(msgpack.packb(record.origin)) + len(msgpack.packb(record.ts_ms))
    body = raw[:head] + raw[head + skip :] if raw else msgpack.packb([record.kind, list(record.items)])
    return int.from_bytes(hashlib.blake2b(body, digest_size=8).digest(), "little") >> 1


class FeatureCache:
    """Bounded, thread-safe cache of :func:`featurize_record`, keyed by canonical bytes.

    Featurize each record once when it arrives; scoring then costs only the
    vectorized window assembly and the network.
    """

    def __init__(self, capacity: int = 65_536) -> None:
        self.capacity = capacity
        self._d: dict[bytes, RecordFeatures] = {}
        self._lock = threading.Lock()

    def get(self, record: Record) -> RecordFeatures:
        key = record.canonical_bytes()
        f = self._d.get(key)
        if f is None:
            f = featurize_record(record)
            with self._lock:
                if len(self._d) >= self.capacity:
                    # Drop the oldest half (dicts keep insertion order): cheap and bounded.
                    for k in list(self._d)[: self.capacity // 2]:
                        del self._d[k]
                self._d[key] = f
        return f

    def __len__(self) -> int:
        return len(self._d)


@dataclass(frozen=True, slots=True)
class WindowFeatures:
    """Tensors for one window of n records (leading batch dim added by the model's callers).

    cat: [n, HASH_DIM] L2-normalized signed bag of tokens.
    kind_bucket: [n] long. num_bucket: [n, S] long. num: [n, S, NUM_FEATS]. num_mask: [n, S].
    ctx: [n, CTX_DIM] window context. kind/origin/content: [n] long ids.
    t: [n] float seconds relative to the newest record (<= 0). order: [n] float rank in
    time (ties keep sequence order).
    """

    cat: torch.Tensor
    kind_bucket: torch.Tensor
    num_bucket: torch.Tensor
    num: torch.Tensor
    num_mask: torch.Tensor
    ctx: torch.Tensor
    kind: torch.Tensor
    origin: torch.Tensor
    content: torch.Tensor
    t: torch.Tensor
    order: torch.Tensor

    def __len__(self) -> int:
        return int(self.cat.shape[0])


def featurize(records: Sequence[Record], cache: FeatureCache | None = None) -> WindowFeatures:
    """Featurize a window: per-record features (cached if ``cache``), then :func:`assemble_window`."""
    feats = [cache.get(r) for r in records] if cache is not None else [featurize_record(r) for r in records]
    return assemble_window(feats)


def _stack_ids(ids: list[int]) -> torch.Tensor:
    return torch.tensor(ids, dtype=torch.int64)


def assemble_window(feats: Sequence[RecordFeatures]) -> WindowFeatures:
    """Build the window tensors (see :class:`WindowFeatures`) from per-record features."""
    n = len(feats)
    if n == 0:
        raise ValueError("cannot assemble an empty window")
    # -- bag of tokens ------------------------------------------------------------
    tok_counts = [len(f.tokens) for f in feats]
    tok = _stack_ids([t for f in feats for t in f.tokens])
    tok_row = torch.repeat_interleave(torch.arange(n), torch.tensor(tok_counts))
    bucket = tok % HASH_DIM
    sign = ((tok >> 40) & 1).to(torch.float32) * 2.0 - 1.0
    cat = torch.zeros(n, HASH_DIM)
    cat.index_put_((tok_row, bucket), sign, accumulate=True)
    cat = cat / cat.norm(dim=1, keepdim=True).clamp_min(1e-6)
    # Rarity: how many records of the window share each record's rarest token.
    uniq, inv, df = torch.unique(tok, return_inverse=True, return_counts=True)
    tok_df = df[inv].to(torch.float32)
    min_df = torch.full((n,), float(n)).scatter_reduce(0, tok_row, tok_df, "amin", include_self=True)
    singles = torch.zeros(n).index_add_(0, tok_row, (tok_df == 1).to(torch.float32))
    # -- numbers, normalized within the window -----------------------------------
    num_bucket = torch.zeros(n, NUM_SLOTS, dtype=torch.int64)
    num = torch.zeros(n, NUM_SLOTS, NUM_FEATS)
    num_mask = torch.zeros(n, NUM_SLOTS)
    slot_counts = [len(f.num_keys) for f in feats]
    m = sum(slot_counts)
    if m:
        keys = _stack_ids([k for f in feats for k in f.num_keys])
        vals = torch.tensor([v for f in feats for v in f.num_vals], dtype=torch.float64)
        rows = torch.repeat_interleave(torch.arange(n), torch.tensor(slot_counts))
        cols = torch.cat([torch.arange(c) for c in slot_counts if c]) if m else torch.zeros(0, dtype=torch.int64)
        z, gcount = _robust_z(keys, vals)
        num_bucket[rows, cols] = keys % NUM_BUCKETS
        num_mask[rows, cols] = 1.0
        num[rows, cols] = torch.stack(
            [
                (vals / 10.0).to(torch.float32),
                (z / 4.0).to(torch.float32),
                torch.tanh(z.abs() / 3.0).to(torch.float32),
                (torch.log1p(gcount.to(torch.float64)) / 7.0).to(torch.float32),
            ],
            dim=1,
        )
        max_absz = torch.zeros(n, dtype=torch.float64).scatter_reduce(0, rows, z.abs(), "amax", include_self=True)
    else:
        max_absz = torch.zeros(n, dtype=torch.float64)
    # -- time, kind, context --------------------------------------------------------
    ts = torch.tensor([f.ts_ms for f in feats], dtype=torch.int64)
    t = ((ts - ts.max()).to(torch.float64) / 1000.0).to(torch.float32)
    # Rank in time; a stable sort keeps sequence order between equal timestamps.
    order = torch.empty(n, dtype=torch.float32)
    order[torch.argsort(ts, stable=True)] = torch.arange(n, dtype=torch.float32)
    kind = _stack_ids([f.kind_id for f in feats])
    _, kinv, kcount = torch.unique(kind, return_inverse=True, return_counts=True)
    same_kind = kcount[kinv].to(torch.float32)
    logn = math.log(n + 1.0)
    ctx = torch.stack(
        [
            torch.log1p(-t) / 5.0,  # relative age
            torch.log(same_kind) / logn,  # how common this kind is here
            same_kind / n,
            torch.log(min_df) / logn,  # rarest token
            singles / torch.tensor(tok_counts, dtype=torch.float32),
            torch.tensor([f.n_fields for f in feats], dtype=torch.float32) / 16.0,
            torch.tanh(max_absz.to(torch.float32) / 3.0),
            torch.full((n,), logn / math.log(1025.0)),  # window size
        ],
        dim=1,
    )
    return WindowFeatures(
        cat=cat,
        kind_bucket=kind % KIND_BUCKETS,
        num_bucket=num_bucket,
        num=num,
        num_mask=num_mask,
        ctx=ctx,
        kind=kind,
        origin=_stack_ids([f.origin_id for f in feats]),
        content=_stack_ids([f.content for f in feats]),
        t=t,
        order=order,
    )


def _robust_z(keys: torch.Tensor, vals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per value: (v - median) / (1.4826 MAD) within its group (same kind and field).

    Median and MAD, not mean and std, so that an anomaly (or a burst repeating
    it) does not hide itself by inflating the spread. Groups of fewer than 3
    values get z = 0. Runs in float64: the result feeds consensus scores.
    """
    _, inv, counts = torch.unique(keys, return_inverse=True, return_counts=True)
    starts = torch.cumsum(counts, 0) - counts
    med = _group_median(vals, inv, starts, counts)
    dev = (vals - med[inv]).abs()
    mad = _group_median(dev, inv, starts, counts)
    # A floor on the scale: a group of identical values must not turn a 1% move into 1e9 sigma.
    scale = torch.sqrt((1.4826 * mad[inv]) ** 2 + (0.004 + 0.002 * med[inv].abs()) ** 2)
    z = ((vals - med[inv]) / scale).clamp(-_Z_CLIP, _Z_CLIP)
    gcount = counts[inv]
    z = torch.where(gcount >= 3, z, torch.zeros_like(z))
    return z, gcount


def _group_median(v: torch.Tensor, inv: torch.Tensor, starts: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    o1 = torch.argsort(v, stable=True)
    o2 = torch.argsort(inv[o1], stable=True)
    sv = v[o1][o2]
    lo = sv[starts + (counts - 1) // 2]
    hi = sv[starts + counts // 2]
    return (lo + hi) / 2.0
