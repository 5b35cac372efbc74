"""The genesis: what every node of one network must agree on before it starts.

A genesis names the network, lists the validator set, the model ids whose
scores count, and the thresholds the attention quorum applies. It is written
as a small flat TOML file; :func:`parse_genesis` reads it (``tomllib`` works on
a string, so this stays pure), :func:`genesis_to_toml` writes it, and
:func:`genesis_id` names it by the CID of its canonical bytes, so two nodes can
check in one line that they run the same network.

Every mistake is reported as one :class:`~protocol.errors.ConfigError` whose
message names the field and says what is wrong: a person edits this file.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from protocol.block import DEFAULT_BLOCK_LIMITS
from protocol.cid import cid_of, validate_cid
from protocol.codec import packb
from protocol.errors import ConfigError, DecodeError
from protocol.validators import ValidatorSet

GENESIS_VERSION = 1
_NETWORK_RE = re.compile(r"[a-z0-9-]{1,32}")
#: A genesis file is a few KiB (1024 validators take about 60 KiB); refuse
#: anything absurd before parsing it.
MAX_GENESIS_TEXT = 256 * 1024
MAX_MODEL_IDS = 64
#: Block-format ceilings (protocol.block): a genesis may only tighten them.
MAX_BLOCK_RECORDS_CAP = DEFAULT_BLOCK_LIMITS.max_records
MAX_PAYLOAD_BYTES_CAP = DEFAULT_BLOCK_LIMITS.max_payload_bytes
_INT_MAX = 2**63 - 1


def _err(name: str, what: str) -> ConfigError:
    return ConfigError(f"genesis field '{name}': {what}")


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _err(name, f"expected an integer, got {type(value).__name__}")
    if not lo <= value <= hi:
        raise _err(name, f"must be between {lo} and {hi}, got {value}")
    return value


def _float(name: str, value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _err(name, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise _err(name, f"must be finite, got {value}")
    return float(value)


@dataclass(frozen=True, slots=True)
class Genesis:
    """One network's fixed parameters. Validated on construction (ConfigError)."""

    network_id: str
    """Network name: 1 to 32 characters of ``[a-z0-9-]``; part of topic names."""
    validators: ValidatorSet
    """Who votes; ``n``, ``f`` and ``q`` follow from it."""
    accepted_model_ids: tuple[str, ...]
    """Text CIDs of the model weights whose scores a validator accepts (non-empty)."""
    score_tolerance: float = 0.02
    """Largest gap between a claimed score and a validator's own; in (0.001, 0.5)."""
    record_threshold: float = 0.5
    """Lowest score for a record to be shipped in a block; in [0, 1]."""
    min_block_importance: float = 0.25
    """A block's mean in-block score must be at least this; in [0, 1].

    In-block scores are what validators compute (docs/consensus.md): the
    block's records after its proposer's last committed records, against the
    History of the committed view the header names, copies of committed
    content at 0 (exact, near, replays, one field off: the copy rule), with
    the checkpoint's judge weights (docs/attention.md, "Fifth wave").
    Calibrated with ``scripts/calibrate_block_importance.py`` (view mode,
    copy rule on) on held-out worlds and families with the shipped
    checkpoint: honest blocks' 5th percentile 0.391, junk blocks' 95th
    percentile 0.071, random blocks' 95th percentile 0.127 (144 blocks of
    each kind; 288: 0.393, 0.082, 0.148); the bar sits inside that gap, a little under its midpoint
    (0.26) because honest blocks of a 5% share and of the blind held-out
    family score a little lower (docs/consensus.md has the pass rates).
    """
    max_block_records: int = 1024
    """Most records in one block; at most the block format's 4096."""
    max_payload_bytes: int = 4 * 1024 * 1024
    """Largest compressed payload; at most the block format's cap."""
    block_interval_ms: int = 250
    """How often a proposer cuts a block from what it has pending."""
    genesis_time_ms: int = 0
    """When the network starts (Unix ms); part of the genesis id."""
    ship_share: float = 0.05
    """Default shipping budget: the share of its records a proposer ships, in (0, 1].

    Node policy, not a vote rule (``pipeline.ship_share`` overrides it; see
    protocol/selection.py). Part of the genesis id only when set away from
    0.05, so ids of genesis files that predate it are unchanged.
    """
    max_view_lag: int = 16
    """How far (in seqs, per validator) a block's named committed view may lag a validator's own.

    A block header names the committed view its scores were computed against
    (``protocol.admission.check_view``); a validator rejects a view more than
    this many seqs behind its own for any validator (a proposer naming an old
    view to make copies of committed records look new), and must match its
    proposer's own entry exactly. In 1..1,000,000. Part of the genesis id only
    when set away from 16, so ids of genesis files that predate it are
    unchanged.
    """
    proposers: tuple[str, ...] = ()
    """Who may propose blocks (peer ids, 1..1024, distinct); empty: the validators.

    Part of the genesis id only when non-empty, so ids of genesis files that
    predate it are unchanged. Use :attr:`proposer_ids` / :meth:`is_proposer`.
    """
    # Derived once: every signature on the network is bound to it.
    _id: str = field(init=False, repr=False, compare=False, default="")
    _proposer_ids: tuple[str, ...] = field(init=False, repr=False, compare=False, default=())
    _proposer_set: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        self.validate()
        object.__setattr__(self, "proposers", tuple(sorted(self.proposers)))  # a set: one spelling
        ids = self.proposers or self.validators.peer_ids
        object.__setattr__(self, "_proposer_ids", ids)
        object.__setattr__(self, "_proposer_set", frozenset(ids))
        object.__setattr__(self, "_id", cid_of(self.canonical_bytes()))

    @property
    def proposer_ids(self) -> tuple[str, ...]:
        """Who may propose, sorted: the ``proposers`` list, or the validators' ids when it is empty.

        A block header's committed view has one entry per proposer, in this order.
        """
        return self._proposer_ids

    def is_proposer(self, peer_id: str) -> bool:
        """Whether ``peer_id`` may propose blocks on this network (O(1))."""
        return peer_id in self._proposer_set

    def has_others(self, peer_id: str) -> bool:
        """Whether a validator or proposer other than ``peer_id`` takes part: a node alone in its
        genesis has no peer that could hold a block it lacks (it skips catching up before proposing)."""
        return any(p != peer_id for p in self.validators.peer_ids) or any(p != peer_id for p in self._proposer_ids)

    @property
    def id(self) -> str:
        """The genesis id (text CID of :meth:`canonical_bytes`); see :func:`genesis_id`.

        Every signed header and vote of this network is bound to it
        (:func:`protocol.keys.signing_domain`).
        """
        return self._id

    def validate(self) -> None:
        """Raise ConfigError naming the first bad field; called on construction."""
        if not isinstance(self.network_id, str) or not _NETWORK_RE.fullmatch(self.network_id):
            raise _err(
                "network_id", f"must be 1 to 32 characters of a-z, 0-9 and '-', got {self.network_id!r:.60}"
            )
        if not isinstance(self.validators, ValidatorSet):
            raise _err("validators", "expected a ValidatorSet")
        self._validate_model_ids()
        tol = _float("score_tolerance", self.score_tolerance)
        if not 1e-3 < tol < 0.5:
            raise _err("score_tolerance", f"must be > 0.001 and < 0.5, got {tol}")
        for name in ("record_threshold", "min_block_importance"):
            value = _float(name, getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise _err(name, f"must be between 0 and 1, got {value}")
        _int("max_block_records", self.max_block_records, 1, MAX_BLOCK_RECORDS_CAP)
        _int("max_payload_bytes", self.max_payload_bytes, 1, MAX_PAYLOAD_BYTES_CAP)
        _int("block_interval_ms", self.block_interval_ms, 1, 3_600_000)
        _int("genesis_time_ms", self.genesis_time_ms, 0, _INT_MAX)
        if not 0.0 < _float("ship_share", self.ship_share) <= 1.0:
            raise _err("ship_share", f"must be > 0 and at most 1, got {self.ship_share}")
        _int("max_view_lag", self.max_view_lag, 1, 1_000_000)
        self._validate_proposers()

    def _validate_proposers(self) -> None:
        if not isinstance(self.proposers, tuple):
            raise _err("proposers", "expected a list of peer ids")
        if not self.proposers:
            return
        try:
            ValidatorSet(self.proposers)  # the same strict checks: peer ids, keys, no duplicates, <= 1024
        except ConfigError as exc:
            msg = re.sub(r"^validators\[(\d+)\]: ", r"entry \1: ", str(exc)).removeprefix("validators: ")
            raise _err("proposers", msg.replace("validator", "proposer")) from None

    def _validate_model_ids(self) -> None:
        ids = self.accepted_model_ids
        if not isinstance(ids, tuple) or not all(isinstance(m, str) for m in ids):
            raise _err("accepted_model_ids", "expected a list of CID strings")
        if not ids:
            raise _err("accepted_model_ids", "must list at least one model CID")
        if len(ids) > MAX_MODEL_IDS:
            raise _err("accepted_model_ids", f"at most {MAX_MODEL_IDS} entries")
        for i, m in enumerate(ids):
            try:
                validate_cid(m)
            except DecodeError as exc:
                raise _err("accepted_model_ids", f"entry {i} is not a valid model CID: {exc}") from None
        if len(set(ids)) != len(ids):
            raise _err("accepted_model_ids", "lists the same model CID twice")

    def canonical_bytes(self) -> bytes:
        """Canonical msgpack array; order-free lists are sorted."""
        return packb(
            [
                GENESIS_VERSION,
                self.network_id,
                list(self.validators.peer_ids),
                sorted(self.accepted_model_ids),
                float(self.score_tolerance),
                float(self.record_threshold),
                float(self.min_block_importance),
                self.max_block_records,
                self.max_payload_bytes,
                self.block_interval_ms,
                self.genesis_time_ms,
                # Optional tail: each item present only when away from its default, and
                # ship_share written whenever anything follows it, so positions stay unambiguous.
                *([float(self.ship_share)] if self.ship_share != 0.05 or self.max_view_lag != 16 else []),
                *([self.max_view_lag] if self.max_view_lag != 16 else []),
                *([sorted(self.proposers)] if self.proposers else []),  # a list: never mistaken for the above
            ]
        )


_FIELDS = tuple(f.name for f in fields(Genesis) if f.init)
_REQUIRED = ("network_id", "validators", "accepted_model_ids")


def _str_list(name: str, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise _err(name, f"expected a list of strings, got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise _err(name, f"entry {i} is a {type(item).__name__}, expected a string")
    return value


def _validators(value: Any) -> ValidatorSet:
    peers = _str_list("validators", value)
    try:
        return ValidatorSet(peers)
    except ConfigError as exc:
        # ValidatorSet says "validators[i]: ..."; keep one message shape.
        msg = re.sub(r"^validators\[(\d+)\]: ", r"entry \1: ", str(exc)).removeprefix("validators: ")
        raise _err("validators", msg) from None


def genesis_from_mapping(data: Mapping[str, Any]) -> Genesis:
    """Build a Genesis from parsed TOML (or JSON) values; raises ConfigError."""
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"genesis has unknown field(s): {', '.join(unknown)}")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ConfigError(f"genesis is missing required field(s): {', '.join(missing)}")
    kw: dict[str, Any] = dict(data)
    if not isinstance(kw["network_id"], str):
        raise _err("network_id", f"expected a string, got {type(kw['network_id']).__name__}")
    kw["validators"] = _validators(kw["validators"])
    kw["accepted_model_ids"] = tuple(_str_list("accepted_model_ids", kw["accepted_model_ids"]))
    if "proposers" in kw:
        kw["proposers"] = tuple(_str_list("proposers", kw["proposers"]))
    return Genesis(**kw)


def parse_genesis(toml_text: str) -> Genesis:
    """Parse genesis TOML; raises ConfigError naming the field on any mistake."""
    if not isinstance(toml_text, str):
        raise ConfigError("genesis must be text")
    if len(toml_text) > MAX_GENESIS_TEXT:
        raise ConfigError(f"genesis text is over {MAX_GENESIS_TEXT} characters")
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"genesis is not valid TOML: {exc}") from None
    except ValueError as exc:  # e.g. an integer of over 4300 digits (int's conversion limit)
        raise ConfigError(f"genesis is not valid TOML: {exc}"[:300]) from None
    except RecursionError:  # arrays nested thousands deep
        raise ConfigError("genesis is not valid TOML: nested too deeply") from None
    return genesis_from_mapping(data)


def _toml_str(s: str) -> str:
    # Every string field is validated to a plain charset (network ids, base58
    # peer ids, base32 CIDs), so quoting never needs escapes.
    return '"' + s + '"'


def _toml_list(items: Iterable[str]) -> str:
    body = "".join(f"  {_toml_str(s)},\n" for s in items)
    return "[\n" + body + "]"


def genesis_to_toml(g: Genesis) -> str:
    """Write ``g`` as TOML that :func:`parse_genesis` reads back to an equal Genesis."""
    lines = [
        "# attnshare genesis: every node of this network must use this exact file.",
        f"# genesis id: {genesis_id(g)}",
        f"network_id = {_toml_str(g.network_id)}",
        f"genesis_time_ms = {g.genesis_time_ms}",
        f"ship_share = {float(g.ship_share)!r}",
        f"score_tolerance = {float(g.score_tolerance)!r}",
        f"record_threshold = {float(g.record_threshold)!r}",
        f"min_block_importance = {float(g.min_block_importance)!r}",
        f"max_block_records = {g.max_block_records}",
        f"max_payload_bytes = {g.max_payload_bytes}",
        f"block_interval_ms = {g.block_interval_ms}",
        f"max_view_lag = {g.max_view_lag}",
        f"accepted_model_ids = {_toml_list(g.accepted_model_ids)}",
        f"validators = {_toml_list(g.validators.peer_ids)}",
        *([f"proposers = {_toml_list(sorted(g.proposers))}"] if g.proposers else []),
    ]
    return "\n".join(lines) + "\n"


def genesis_id(g: Genesis) -> str:
    """CID of the genesis' canonical bytes: equal ids mean the same network rules."""
    return g.id
