"""The block format: a signed header plus a zstd-compressed payload of records.

Layout (all canonical msgpack arrays, see ``protocol.codec``):

- header (version 2): ``[version, network, proposer, seq, prev, created_ms,
  model_id, payload_cid, payload_len, codec, record_count, scores, view]``
  where the CIDs are 36-byte binary CIDs (``prev`` may be nil), ``scores`` is
  one bin of little-endian uint16, one per record (``round(score * 65535)``),
  and ``view`` is one bin of little-endian uint64: the committed seq per
  genesis proposer (``Genesis.proposer_ids``, sorted peer ids) the scores were computed against
  (empty: no history). Version 1 headers (12 items, no view) still decode, as
  a header with an empty view; :func:`build_block` writes version 2;
- signed header: ``[header_bytes, signature]``, the proposer's Ed25519
  signature over ``DOMAIN_BLOCK + genesis_cid_bin + header_bytes`` (see
  :func:`protocol.keys.signing_domain`: a header signed for one network never
  verifies on another);
- block: ``[signed_header_bytes, payload]`` with ``payload`` nil when the
  block is announced by header only and the payload is fetched over sync;
- payload: one zstd frame with its content size declared, holding
  ``[record_bytes, ...]`` (each a record's canonical bytes).

The block id is the CID of the header bytes (without the signature), so every
signer and every voter names a block the same way. The payload CID covers the
*compressed* bytes: :func:`open_payload` checks the hash before it lets zstd
look at anything, then refuses any frame that does not declare its size or
declares one above the cap, because ``max_output_size`` does not bound a frame
that declares its own size (see shared/notes/codecs-crypto-store.md).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import zstandard

from protocol import FORMAT_VERSION
from protocol.cid import CID_BYTES_LEN, cid_from_text, cid_matches, cid_of, cid_to_text
from protocol.codec import expect_bytes, expect_int, expect_list, expect_str, packb, unpackb
from protocol.errors import (
    ConfigError,
    DecodeError,
    LocalError,
    SignatureError,
    ValidationError,
)
from protocol.keys import (
    DOMAIN_BLOCK,
    SIGNATURE_LEN,
    PrivateKey,
    public_key_from_peer_id,
    signing_domain,
)
from protocol.record import DEFAULT_LIMITS as DEFAULT_RECORD_LIMITS
from protocol.record import Record, RecordLimits, decode_records
from protocol.validators import MAX_VALIDATORS

CODEC_ZSTD = 1
CODECS = frozenset({CODEC_ZSTD})
ZSTD_LEVEL = 3
ZSTD_FRAME_MAGIC = b"\x28\xb5\x2f\xfd"
SCORE_SCALE = 65535
# Every score a decoded header holds is one of these objects, not a fresh int: a header of 4,096
# scores kept 147 KiB of int objects (36 bytes a score) and keeps 32 KiB of references (review 25:
# held headers, e.g. the slots a validator has open, are the largest thing a byzantine proposer
# can make a node keep). The table is 1.8 MiB once per process; decoding a 4,096-score header pays
# about 125 us more (itemgetter builds the tuple in C: 211 against 86 us, a map 465).
_SCORE_INTS = tuple(range(SCORE_SCALE + 1))
MAX_NETWORK_LEN = 64
MAX_PEER_ID_LEN = 64
_INT_MAX = 2**63 - 1
# Bytes a header can take besides its scores: 12 small fields, three 36-byte
# CIDs, a network name of up to 64 chars (<= 256 bytes of UTF-8) and a peer id.
_HEADER_FIXED_MAX = 1024
#: Header versions: 1 (no view), 2 (with the committed view); build_block writes 2.
BLOCK_VERSION = 2
BLOCK_VERSIONS = frozenset({FORMAT_VERSION, BLOCK_VERSION})
#: Entries in a header's view: one per proposer, and a genesis lists at most this many.
MAX_VIEW_ENTRIES = MAX_VALIDATORS
_VIEW_BYTES_MAX = 8 * MAX_VIEW_ENTRIES + 8  # bin header included


@dataclass(frozen=True, slots=True)
class BlockLimits:
    """Bounds every block decoder and builder enforces (all inclusive)."""

    max_records: int = 4096
    """Records in one block."""
    max_payload_bytes: int = 8 * 1024 * 1024
    """Compressed payload size."""
    max_decompressed_bytes: int = 32 * 1024 * 1024
    """Declared (and actual) size of the decompressed payload."""
    gossip_payload_max: int = 512 * 1024
    """Payloads above this are gossiped header-only and fetched over sync."""
    records: RecordLimits = DEFAULT_RECORD_LIMITS
    """Limits for each record inside the payload."""

    def __post_init__(self) -> None:
        for name in ("max_records", "max_payload_bytes", "max_decompressed_bytes", "gossip_payload_max"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"BlockLimits.{name} must be a positive integer, got {value!r}")
        if self.gossip_payload_max > self.max_payload_bytes:
            raise ConfigError("BlockLimits.gossip_payload_max must not exceed max_payload_bytes")

    @property
    def max_header_bytes(self) -> int:
        """Largest encoded header these limits allow."""
        return _HEADER_FIXED_MAX + 2 * self.max_records + _VIEW_BYTES_MAX

    @property
    def max_signed_header_bytes(self) -> int:
        """Largest encoded signed header these limits allow."""
        return self.max_header_bytes + SIGNATURE_LEN + 16

    @property
    def max_block_bytes(self) -> int:
        """Largest encoded block (signed header plus payload) these limits allow."""
        return self.max_signed_header_bytes + self.max_payload_bytes + 16


DEFAULT_BLOCK_LIMITS = BlockLimits()


def _cid_bin(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise DecodeError(f"{what}: expected a text CID")
    try:
        return cid_from_text(value)
    except DecodeError as exc:
        raise DecodeError(f"{what}: {exc}") from None


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """A validated block header. Construction raises DecodeError on any bad field.

    Size limits that depend on :class:`BlockLimits` (record count, payload
    length) are checked by :meth:`check_limits`, which the decoders and
    :func:`open_payload` call (and :func:`build_block` enforces the same
    bounds), so a header may be built under any limits.
    """

    version: int
    network: str
    proposer: str
    seq: int
    prev: str | None
    created_ms: int
    model_id: str
    payload_cid: str
    payload_len: int
    codec: int
    record_count: int
    scores: tuple[int, ...]
    #: committed seq per genesis proposer (Genesis.proposer_ids) the scores were computed against;
    #: () for none (and always for version 1). protocol.admission.check_view judges it.
    view: tuple[int, ...] = ()
    # Derived once: the header is hashed and signed far more often than built.
    _canonical: bytes = field(init=False, repr=False, compare=False)
    _block_id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if expect_int(self.version, "block version") not in BLOCK_VERSIONS:
            raise DecodeError(f"unsupported block format version {self.version}")
        if not expect_str(self.network, "block network", MAX_NETWORK_LEN):
            raise DecodeError("block network must not be empty")
        expect_str(self.proposer, "block proposer", MAX_PEER_ID_LEN)
        try:
            public_key_from_peer_id(self.proposer)
        except SignatureError as exc:
            # A peer id that embeds an unusable key is malformed as far as a
            # header goes; decoders promise DecodeError only.
            raise DecodeError(f"block proposer: {exc}") from None
        expect_int(self.seq, "block seq", 1, _INT_MAX)
        prev_raw = None if self.prev is None else _cid_bin(self.prev, "block prev")
        expect_int(self.created_ms, "block created_ms", 0, _INT_MAX)
        model_raw = _cid_bin(self.model_id, "block model_id")
        payload_raw = _cid_bin(self.payload_cid, "block payload_cid")
        expect_int(self.payload_len, "block payload_len", 1, _INT_MAX)
        if expect_int(self.codec, "block codec") not in CODECS:
            raise DecodeError(f"unknown block payload codec {self.codec}")
        expect_int(self.record_count, "block record_count", 1, _INT_MAX)
        if not isinstance(self.scores, tuple) or len(self.scores) != self.record_count:
            raise DecodeError("block scores: expected a tuple with one score per record")
        for s in self.scores:
            expect_int(s, "block score", 0, SCORE_SCALE)
        if not isinstance(self.view, tuple) or len(self.view) > MAX_VIEW_ENTRIES:
            raise DecodeError(f"block view: expected a tuple of at most {MAX_VIEW_ENTRIES} seqs")
        if self.view and self.version == FORMAT_VERSION:
            raise DecodeError("block view: a version 1 header has none")
        for v in self.view:
            expect_int(v, "block view seq", 0, _INT_MAX)
        try:
            canonical = self._encode(prev_raw, model_raw, payload_raw)
        except UnicodeEncodeError:  # a lone surrogate in the network name
            raise DecodeError("block network must be valid Unicode") from None
        object.__setattr__(self, "_canonical", canonical)
        object.__setattr__(self, "_block_id", cid_of(canonical))

    def _encode(self, prev_raw: bytes | None, model_raw: bytes, payload_raw: bytes) -> bytes:
        view = [] if self.version == FORMAT_VERSION else [struct.pack(f"<{len(self.view)}Q", *self.view)]
        return packb(
            [
                self.version,
                self.network,
                self.proposer,
                self.seq,
                prev_raw,
                self.created_ms,
                model_raw,
                payload_raw,
                self.payload_len,
                self.codec,
                self.record_count,
                struct.pack(f"<{self.record_count}H", *self.scores),
                *view,
            ]
        )

    def canonical_bytes(self) -> bytes:
        """The bytes the proposer signs and the block id hashes."""
        return self._canonical

    @property
    def block_id(self) -> str:
        """CID of :meth:`canonical_bytes`."""
        return self._block_id

    @property
    def slot(self) -> tuple[str, int]:
        """(proposer, seq): at most one block per slot may commit."""
        return (self.proposer, self.seq)

    def float_scores(self) -> tuple[float, ...]:
        """The quantized scores as floats in [0, 1]."""
        return tuple(s / SCORE_SCALE for s in self.scores)

    def check_limits(self, limits: BlockLimits) -> None:
        """Raise DecodeError if this header exceeds ``limits``."""
        if self.record_count > limits.max_records:
            raise DecodeError(f"block has {self.record_count} records, limit {limits.max_records}")
        if self.payload_len > limits.max_payload_bytes:
            raise DecodeError(
                f"block payload of {self.payload_len} bytes exceeds limit {limits.max_payload_bytes}"
            )


def quantize_score(score: float) -> int:
    """Map a score in [0, 1] to the uint16 carried in headers."""
    if not isinstance(score, int | float) or isinstance(score, bool) or not math.isfinite(score):
        raise LocalError(f"score must be a finite number, got {score!r}")
    if not 0.0 <= score <= 1.0:
        raise LocalError(f"score must lie in [0, 1], got {score!r}")
    return round(score * SCORE_SCALE)


def header_held_bytes(header: BlockHeader) -> int:
    """About what a decoded header holds in memory: the object and its CIDs (2 KiB), its canonical
    bytes (2 a score, 8 a view entry), its scores tuple (8 a score: the ints are shared,
    ``_SCORE_INTS``) and its view's ints (about 40 an entry). For bounds (review 25), not accounting."""
    return 2048 + 10 * header.record_count + 48 * len(header.view)


def held_bytes(header: BlockHeader) -> int:
    """:func:`header_held_bytes` plus the payload the header declares (held or to be fetched)."""
    return header_held_bytes(header) + header.payload_len


def _shared_scores(scores: tuple[int, ...]) -> tuple[int, ...]:
    """``scores`` as references into :data:`_SCORE_INTS` (itemgetter of one index returns the item)."""
    if len(scores) == 1:
        return (_SCORE_INTS[scores[0]],)
    return itemgetter(*scores)(_SCORE_INTS)  # type: ignore[no-any-return]


def decode_header(data: bytes, limits: BlockLimits = DEFAULT_BLOCK_LIMITS) -> BlockHeader:
    """Decode canonical header bytes; raises DecodeError on anything else."""
    obj = unpackb(data, max_bytes=limits.max_header_bytes, max_items=16, max_containers=1)
    items = expect_list(obj, 13 if isinstance(obj, list) and obj and obj[0] == BLOCK_VERSION else 12,
                        "block header")
    (version, network, proposer, seq, prev, created_ms, model_id, payload_cid, payload_len, codec,
     record_count, scores) = items[:12]
    view: tuple[int, ...] = ()
    if len(items) == 13:
        raw_view = expect_bytes(items[12], "block view", max_len=8 * MAX_VIEW_ENTRIES)
        if len(raw_view) % 8:
            raise DecodeError("block view: expected whole little-endian uint64 seqs")
        view = struct.unpack(f"<{len(raw_view) // 8}Q", raw_view)
    # Bound the count before unpacking the scores, so the tuple is never larger
    # than the limits allow.
    count = expect_int(record_count, "block record_count", 1, limits.max_records)
    raw_scores = expect_bytes(scores, "block scores", 2 * count)
    header = BlockHeader(
        version=version,
        network=network,
        proposer=proposer,
        seq=seq,
        prev=None if prev is None else cid_to_text(expect_bytes(prev, "block prev", CID_BYTES_LEN)),
        created_ms=created_ms,
        model_id=cid_to_text(expect_bytes(model_id, "block model_id", CID_BYTES_LEN)),
        payload_cid=cid_to_text(expect_bytes(payload_cid, "block payload_cid", CID_BYTES_LEN)),
        payload_len=payload_len,
        codec=codec,
        record_count=count,
        scores=_shared_scores(struct.unpack(f"<{count}H", raw_scores)),
        view=view,
    )
    header.check_limits(limits)
    # One block, one encoding: otherwise the same block would have many ids.
    if header.canonical_bytes() != bytes(data):
        raise DecodeError("block header bytes are not canonical")
    return header


@dataclass(frozen=True, slots=True)
class SignedHeader:
    """A header with the proposer's signature. Construction does not verify it."""

    header: BlockHeader
    signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.header, BlockHeader):
            raise DecodeError("signed header: expected a BlockHeader")
        expect_bytes(self.signature, "block signature", SIGNATURE_LEN)

    @property
    def block_id(self) -> str:
        return self.header.block_id

    def verify(self, genesis_id: str) -> None:
        """Raise SignatureError unless the proposer signed this header for network ``genesis_id``."""
        public_key_from_peer_id(self.header.proposer).verify(
            signing_domain(DOMAIN_BLOCK, genesis_id), self.header.canonical_bytes(), self.signature
        )

    def encode(self) -> bytes:
        """Wire form: ``[header_bytes, signature]``."""
        return packb([self.header.canonical_bytes(), self.signature])


def sign_header(key: PrivateKey, header: BlockHeader, genesis_id: str) -> SignedHeader:
    """Sign ``header`` with the proposer's key for network ``genesis_id``."""
    if key.peer_id != header.proposer:
        raise LocalError("only the proposer can sign its block header")
    return SignedHeader(header, key.sign(signing_domain(DOMAIN_BLOCK, genesis_id), header.canonical_bytes()))


def decode_signed_header(data: bytes, limits: BlockLimits = DEFAULT_BLOCK_LIMITS) -> SignedHeader:
    """Decode a signed header; raises DecodeError. Does NOT verify the signature."""
    obj = unpackb(data, max_bytes=limits.max_signed_header_bytes, max_items=2, max_containers=1)
    header_bytes, signature = expect_list(obj, 2, "signed header")
    header = decode_header(expect_bytes(header_bytes, "header bytes", max_len=limits.max_header_bytes), limits)
    signed = SignedHeader(header, expect_bytes(signature, "block signature", SIGNATURE_LEN))
    if signed.encode() != bytes(data):
        raise DecodeError("signed header bytes are not canonical")
    return signed


@dataclass(frozen=True, slots=True)
class Block:
    """A signed header and its payload, or ``payload=None`` for a header-only announcement.

    Construction checks that a present payload matches the header's length and
    CID (raising ValidationError), so a Block never pairs a header with a
    payload it did not commit to. It does not verify the signature or open the
    payload: see :meth:`SignedHeader.verify` and :func:`open_payload`.
    """

    signed: SignedHeader
    payload: bytes | None

    def __post_init__(self) -> None:
        if not isinstance(self.signed, SignedHeader):
            raise DecodeError("block: expected a SignedHeader")
        if self.payload is None:
            return
        if not isinstance(self.payload, bytes):
            raise DecodeError("block payload: expected bytes")
        _check_payload_matches(self.signed.header, self.payload)

    @property
    def header(self) -> BlockHeader:
        return self.signed.header

    @property
    def block_id(self) -> str:
        return self.signed.header.block_id

    def header_only(self) -> Block:
        """This block without its payload (an announcement)."""
        return self if self.payload is None else Block(self.signed, None)

    def for_gossip(self, limits: BlockLimits = DEFAULT_BLOCK_LIMITS) -> Block:
        """Whole block if its payload fits in a gossip message, else the header alone."""
        if self.payload is not None and len(self.payload) > limits.gossip_payload_max:
            return self.header_only()
        return self

    def encode(self) -> bytes:
        """Wire form: ``[signed_header_bytes, payload_or_nil]``."""
        return packb([self.signed.encode(), self.payload])


def decode_block(data: bytes, limits: BlockLimits = DEFAULT_BLOCK_LIMITS) -> Block:
    """Decode a block (signature not verified, payload not opened).

    Raises DecodeError on malformed bytes and ValidationError when the payload
    does not match the header's length or CID.
    """
    return Block(*decode_block_parts(data, limits))


def decode_block_parts(
    data: bytes, limits: BlockLimits = DEFAULT_BLOCK_LIMITS
) -> tuple[SignedHeader, bytes | None]:
    """Decode a block's signed header and payload, without hashing the payload.

    :func:`decode_block` less the payload's length and CID check, which
    ``Block(*parts)`` makes: for a caller that may drop the block on its
    header alone (a gossip replay of a decided slot, a stranger's block), so
    that it never hashes up to ``max_payload_bytes`` to do so. Raises DecodeError.
    """
    obj = unpackb(data, max_bytes=limits.max_block_bytes, max_items=2, max_containers=1)
    signed_bytes, payload = expect_list(obj, 2, "block")
    signed = decode_signed_header(
        expect_bytes(signed_bytes, "signed header bytes", max_len=limits.max_signed_header_bytes), limits
    )
    if payload is not None:
        expect_bytes(payload, "block payload", max_len=limits.max_payload_bytes)
    if packb([signed.encode(), payload]) != bytes(data):  # Block.encode, before a Block exists
        raise DecodeError("block bytes are not canonical")
    return signed, payload


def _check_payload_matches(header: BlockHeader, payload: bytes) -> None:
    if len(payload) != header.payload_len:
        raise ValidationError(
            f"payload is {len(payload)} bytes, header {header.block_id} says {header.payload_len}"
        )
    if not cid_matches(header.payload_cid, payload):
        raise ValidationError(f"payload does not match CID {header.payload_cid} of block {header.block_id}")


def build_block(
    key: PrivateKey,
    *,
    genesis_id: str,
    network: str,
    seq: int,
    prev: str | None,
    created_ms: int,
    model_id: str,
    records: Sequence[Record],
    scores: Sequence[float],
    limits: BlockLimits = DEFAULT_BLOCK_LIMITS,
    view: Sequence[int] = (),
) -> Block:
    """Compress, hash and sign ``records`` into a block proposed by ``key``.

    ``genesis_id`` (the text CID of the network's genesis) is bound into the
    signature; ``network`` is the genesis network name carried in the header.
    ``view`` is the committed view the scores were computed against (committed
    seq per ``Genesis.proposer_ids`` entry; empty: no history), see
    :func:`protocol.admission.check_view`.

    Raises LocalError on misuse: no records, too many, a score count that does
    not match, a score outside [0, 1], or a payload beyond the limits (split
    the batch and try again).
    """
    if not records:
        raise LocalError("a block needs at least one record")
    if len(records) > limits.max_records:
        raise LocalError(f"{len(records)} records exceed the block limit of {limits.max_records}")
    if len(scores) != len(records):
        raise LocalError(f"{len(scores)} scores for {len(records)} records")
    if not all(isinstance(r, Record) for r in records):
        raise LocalError("records must be protocol.record.Record instances")
    quantized = tuple(quantize_score(s) for s in scores)
    raw = packb([r.canonical_bytes() for r in records])
    if len(raw) > limits.max_decompressed_bytes:
        raise LocalError(
            f"records take {len(raw)} bytes, above the decompressed limit {limits.max_decompressed_bytes}"
        )
    # A compressor object is not thread-safe: one per call. compress() writes a
    # single frame and declares the content size, which open_payload requires.
    payload = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_content_size=True).compress(raw)
    if len(payload) > limits.max_payload_bytes:
        raise LocalError(
            f"compressed payload of {len(payload)} bytes exceeds limit {limits.max_payload_bytes}"
        )
    try:
        header = BlockHeader(
            version=BLOCK_VERSION,
            network=network,
            proposer=key.peer_id,
            seq=seq,
            prev=prev,
            created_ms=created_ms,
            model_id=model_id,
            payload_cid=cid_of(payload),
            payload_len=len(payload),
            codec=CODEC_ZSTD,
            record_count=len(records),
            scores=quantized,
            view=tuple(view),
        )
    except DecodeError as exc:
        raise LocalError(f"bad block header field: {exc}") from None
    return Block(sign_header(key, header, genesis_id), payload)


def open_payload(
    header: BlockHeader, payload: bytes, limits: BlockLimits = DEFAULT_BLOCK_LIMITS
) -> tuple[Record, ...]:
    """Check, decompress and decode a block payload into its records.

    The order is what makes it safe against hostile input: (1) the payload
    length and CID are checked before zstd sees a byte, (2) the frame must
    declare its content size and that size must be within the cap, (3) the
    frame is decompressed with no trailing data allowed, (4) the array is
    counted against the header and split into its items' bytes by reading only
    its own headers, and only then are the records unpacked, each in canonical form.
    Raises DecodeError for malformed bytes and ValidationError when the
    payload disagrees with the header; nothing else.
    """
    if not isinstance(payload, bytes):
        raise DecodeError("block payload: expected bytes")
    if len(payload) > limits.max_payload_bytes:
        raise DecodeError(f"payload of {len(payload)} bytes exceeds limit {limits.max_payload_bytes}")
    header.check_limits(limits)
    _check_payload_matches(header, payload)
    # Exactly one standard frame: a leading skippable frame would report a
    # content size of 0 for data zstd then goes on to decode.
    if not payload.startswith(ZSTD_FRAME_MAGIC):
        raise DecodeError("payload is not a standard zstd frame")
    try:
        declared = zstandard.frame_content_size(payload)
    except zstandard.ZstdError:
        raise DecodeError("payload is not a zstd frame") from None
    if declared < 0:
        raise DecodeError("payload frame does not declare its content size")
    if declared > limits.max_decompressed_bytes:
        raise DecodeError(
            f"payload declares {declared} bytes, above the limit {limits.max_decompressed_bytes}"
        )
    try:
        raw = zstandard.ZstdDecompressor().decompress(
            payload, max_output_size=limits.max_decompressed_bytes, allow_extra_data=False
        )
    except zstandard.ZstdError as exc:
        raise DecodeError(f"bad zstd payload: {exc}"[:200]) from None
    if len(raw) != declared:  # zstd enforces this; keep the promise explicit
        raise DecodeError("payload frame content size does not match its data")
    items = _payload_items(raw, header, limits)
    # All records in one pass (protocol.record.decode_records: the rules of
    # decode_record, about 4x faster); each must be canonical on its own, as
    # _payload_items made the array holding them.
    try:
        return decode_records(items, limits.records)
    except DecodeError as exc:
        raise DecodeError(f"payload {exc}") from None


# The payload array is read by hand, never by a generic unpack: msgpack's
# max_items bounds each array, not their nesting, so 30 MiB of nested arrays
# (a 3 KiB zstd frame) became ~270 MiB of Python lists before the first item
# was found not to be bytes. Only the canonical (shortest) headers are taken,
# so the array is exactly ``packb(items)``.
#: type byte -> (length format, bytes after the type byte, least length that needs it)
_ARRAY_HEADERS = {0xDC: (">H", 2, 16), 0xDD: (">I", 4, 1 << 16)}
_BIN_HEADERS = {0xC4: (">B", 1, 0), 0xC5: (">H", 2, 1 << 8), 0xC6: (">I", 4, 1 << 16)}


def _payload_items(raw: bytes, header: BlockHeader, limits: BlockLimits) -> list[bytes]:
    """The records' bytes in the payload array ``[bin, ...]``: slices of ``raw``, nothing nested.

    The array must hold exactly ``header.record_count`` items (ValidationError
    otherwise), each a bin of at most ``limits.records.max_total_bytes``, with
    no byte after the last (DecodeError otherwise).
    """
    lead = raw[0] if raw else -1
    if 0x90 <= lead <= 0x9F:  # fixarray: the count is in the type byte
        count, pos = lead & 0x0F, 1
    else:
        try:
            count, pos = _sized_header(raw, 0, _ARRAY_HEADERS, "an array of records")
        except DecodeError as exc:
            raise DecodeError(f"payload: {exc}") from None
    if count != header.record_count:
        raise ValidationError(
            f"payload holds {count} records, header {header.block_id} says {header.record_count}"
        )
    max_len = limits.records.max_total_bytes
    items = []
    for i in range(count):
        try:
            size, start = _sized_header(raw, pos, _BIN_HEADERS, "bytes")
        except DecodeError as exc:
            raise DecodeError(f"payload record {i}: {exc}") from None
        if size > max_len:  # decode_records checks it too; here it comes before the slice
            raise DecodeError(f"payload record {i}: record of {size} bytes exceeds limit {max_len}")
        pos = start + size
        if pos > len(raw):
            raise DecodeError(f"payload record {i}: truncated")
        items.append(raw[start:pos])
    if pos != len(raw):
        raise DecodeError(f"payload: {len(raw) - pos} bytes after the records")
    return items


def _sized_header(raw: bytes, pos: int, kinds: dict[int, tuple[str, int, int]], what: str) -> tuple[int, int]:
    """(length, offset past the header) of the msgpack header at ``pos``, which must be one of ``kinds``."""
    kind = kinds.get(raw[pos]) if pos < len(raw) else None
    if kind is None:
        raise DecodeError(f"expected {what}")
    fmt, width, least = kind
    if pos + width >= len(raw):
        raise DecodeError(f"truncated header of {what}")
    (size,) = struct.unpack_from(fmt, raw, pos + 1)
    if size < least:
        raise DecodeError("not canonical (a longer header than its length needs)")
    return size, pos + 1 + width
