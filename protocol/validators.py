"""The validator set: who may vote, and the quorum sizes that follow.

With ``n`` validators the network tolerates ``f = (n - 1) // 3`` faulty ones
and commits with ``q = n - f`` votes. Any two quorums of size ``q`` overlap in
``2q - n = n - 2f >= f + 1`` validators, so at least one honest validator is
in both, and an honest validator votes once per slot: two different blocks can
never both commit in one slot.

Every member's peer id is parsed once here, strictly: malformed ids,
small-order Ed25519 keys (``cryptography`` would otherwise let the identity
point "verify" anything), non-canonical encodings and points off the curve are
refused. That costs ~0.3 ms per member, once, when the genesis loads; after
that, membership is a string lookup, which is what lets decoders refuse an
outsider's message before parsing any peer id in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from protocol.errors import ConfigError, DecodeError, SignatureError
from protocol.keys import PublicKey, load_public_key_strict, public_key_from_peer_id

#: Upper bound on the set size; keeps certificates and tallies bounded.
MAX_VALIDATORS = 1024


class ValidatorSet:
    """An immutable, validated set of validator peer ids.

    Raises ConfigError (a LocalError: the set comes from our own genesis) on an
    empty set, a duplicate, a malformed peer id or an unacceptable key.
    """

    __slots__ = ("_keys", "_peer_ids")

    def __init__(self, peer_ids: Iterable[str]) -> None:
        keys: dict[str, PublicKey] = {}
        for i, pid in enumerate(peer_ids):
            if i >= MAX_VALIDATORS:
                raise ConfigError(f"validators: more than {MAX_VALIDATORS} entries")
            if not isinstance(pid, str):
                raise ConfigError(f"validators[{i}]: expected a peer id string, got {type(pid).__name__}")
            if pid in keys:
                raise ConfigError(f"validators[{i}]: duplicate validator {pid}")
            try:
                keys[pid] = load_public_key_strict(public_key_from_peer_id(pid).raw)
            except (DecodeError, SignatureError) as exc:
                raise ConfigError(f"validators[{i}]: bad peer id {pid!r:.80}: {exc}") from None
        if not keys:
            raise ConfigError("validators: need at least one validator")
        self._keys = keys
        self._peer_ids = tuple(sorted(keys))

    @property
    def n(self) -> int:
        """Number of validators."""
        return len(self._peer_ids)

    @property
    def f(self) -> int:
        """Most faulty validators tolerated: ``(n - 1) // 3``."""
        return (self.n - 1) // 3

    @property
    def q(self) -> int:
        """Quorum size: ``n - f`` ACCEPT votes commit a block."""
        return self.n - self.f

    @property
    def peer_ids(self) -> tuple[str, ...]:
        """Member peer ids, sorted."""
        return self._peer_ids

    def public_key(self, peer_id: str) -> PublicKey:
        """The member's public key; raises KeyError for a non-member."""
        return self._keys[peer_id]

    def __contains__(self, peer_id: object) -> bool:
        return peer_id in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._peer_ids)

    def __len__(self) -> int:
        return self.n

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValidatorSet) and self._peer_ids == other._peer_ids

    def __hash__(self) -> int:
        return hash(self._peer_ids)

    def __repr__(self) -> str:
        return f"ValidatorSet(n={self.n}, f={self.f}, q={self.q})"


class Members:
    """Who may appear in a vote or certificate: validators (as voters) and genesis
    proposers (as the proposer a vote names). The decoders check both roles against
    one container before parsing any id; ``n`` is the validator count (a certificate
    holds at most that many votes). Roles are checked apart after decoding.

    Review 9 #2: the sync path decoded certificates against the validators alone, so
    a genesis proposer that does not vote could never be caught up by sync, and the
    honest peer that served its blocks was banned as a liar.
    """

    __slots__ = ("n", "_proposers", "_validators")

    def __init__(self, validators: ValidatorSet, proposers: Iterable[str]) -> None:
        self._validators = validators
        self._proposers = frozenset(proposers)
        self.n = validators.n

    def __contains__(self, peer: object) -> bool:
        return peer in self._validators or peer in self._proposers
