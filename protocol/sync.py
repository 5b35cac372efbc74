"""Messages of the sync protocol ``/attnshare/sync/1.0.0`` (one request, one response).

A late joiner, or a node that missed gossip, asks a peer:

* ``Heads()``: the latest committed (proposer, seq, block id) per proposer;
* ``GetBlocks(proposer, from_seq, limit)``: that proposer's committed blocks
  from ``from_seq`` on, each with its certificate;
* ``Get(cid)``: one block by id, with its certificate if it is committed.

Every message is a msgpack array whose first item is a type tag. Blocks and
certificates travel as their own encoded bytes and are decoded (with the
caller's limits) and verified by the caller: this module only bounds and
shapes the envelope. Decoders check the total size before unpacking, let
msgpack refuse array headers longer than the bounds before anything is
allocated, require canonical bytes, and raise only DecodeError.

Peer ids in these messages (a GetBlocks proposer, the proposers of a
HeadsResp) are checked for *shape* only: a string of base58 characters of a
peer id's length. Parsing the key inside costs curve math (finding 1), and
every consumer only cares whether the id is a validator, which it checks with
a set lookup (members' keys were parsed once, with the genesis). So no sync
message can make a node do curve math for an id it did not already trust.

Serving rules live here too, pure: :class:`ServeGate` (per-peer in-flight cap
and token buckets, finding 11; strangers also share one pool, review 7), :class:`BlocksFitter` (fill a BlocksResp up to
the response cap, loading rows in chunks that are sure to fit), and
:func:`sanitize_text` (a peer's error text is never logged raw, finding 14).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from protocol.block import DEFAULT_BLOCK_LIMITS
from protocol.cid import CID_BYTES_LEN, cid_from_text, cid_to_text
from protocol.codec import expect_bytes, expect_int, expect_list, expect_str, packb, unpackb
from protocol.errors import DecodeError, LocalError
from protocol.lru import RecentKeys
from protocol.quorum import MAX_CERT_BYTES
from protocol.validators import MAX_VALIDATORS
from protocol.vote import MAX_SEQ

if TYPE_CHECKING:
    from protocol.catchup import SyncParams

#: Most blocks one GetBlocks may ask for and one BlocksResp may carry.
MAX_LIMIT = 256
#: Most heads in one HeadsResp: one per proposer, and only validators propose.
MAX_HEADS = MAX_VALIDATORS
#: Cap on any encoded response; a block at the format's largest still fits.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_REQUEST_BYTES = 256
MAX_BLOCK_BYTES = DEFAULT_BLOCK_LIMITS.max_block_bytes
MAX_ERROR_MESSAGE = 1024

# Error codes, HTTP-like so logs read naturally.
ERR_BAD_REQUEST = 400
ERR_NOT_FOUND = 404
ERR_BUSY = 429
ERR_INTERNAL = 500

_T_HEADS, _T_GET_BLOCKS, _T_GET = 1, 2, 3
_R_HEADS, _R_BLOCKS, _R_GET, _R_ERROR = 1, 2, 3, 4


_B58 = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
#: Ed25519 peer ids are 52 characters; the bounds match protocol.keys' own first check.
_PEER_ID_MIN, _PEER_ID_MAX = 40, 60


def expect_peer_id_shape(value: Any, what: str) -> str:
    """A string that looks like a peer id: 40-60 base58 characters. No key parsing (no curve math).

    Callers decide what an id means by membership (``id in validator_set``),
    which never trusts an id that is not already a parsed member.
    """
    if not isinstance(value, str) or not _PEER_ID_MIN <= len(value) <= _PEER_ID_MAX or not _B58.issuperset(value):
        raise DecodeError(f"{what}: not a peer id: {value!r:.80}")
    return value


def sanitize_text(text: object, max_len: int = 200) -> str:
    """Printable ASCII only (others become '?'), at most ``max_len`` characters: safe for one log line."""
    s = text if isinstance(text, str) else repr(text)
    clipped = s[: max_len + 1]
    out = "".join(c if " " <= c <= "~" else "?" for c in clipped[:max_len])
    return out + "..." if len(clipped) > max_len else out


def _cid_bin(text: str, what: str) -> bytes:
    try:
        return cid_from_text(text)
    except DecodeError as exc:
        raise DecodeError(f"{what}: {exc}") from None


# --- requests -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heads:
    """Ask for the latest committed block of every proposer."""


@dataclass(frozen=True, slots=True)
class GetBlocks:
    """Ask for ``proposer``'s committed blocks with seq >= ``from_seq``, at most ``limit``."""

    proposer: str
    from_seq: int
    limit: int

    def __post_init__(self) -> None:
        expect_peer_id_shape(self.proposer, "GetBlocks proposer")
        expect_int(self.from_seq, "GetBlocks from_seq", 1, MAX_SEQ)
        expect_int(self.limit, "GetBlocks limit", 1, MAX_LIMIT)


@dataclass(frozen=True, slots=True)
class Get:
    """Ask for one block by its id (text CID)."""

    cid: str

    def __post_init__(self) -> None:
        _cid_bin(self.cid, "Get cid")


Request = Heads | GetBlocks | Get


def encode_request(req: Request) -> bytes:
    """Wire bytes of a request."""
    if isinstance(req, Heads):
        return packb([_T_HEADS])
    if isinstance(req, GetBlocks):
        return packb([_T_GET_BLOCKS, req.proposer, req.from_seq, req.limit])
    if isinstance(req, Get):
        return packb([_T_GET, cid_from_text(req.cid)])
    raise LocalError(f"not a sync request: {type(req).__name__}")


def decode_request(data: bytes) -> Request:
    """Decode a request; raises DecodeError on anything malformed or non-canonical."""
    obj = unpackb(data, max_bytes=MAX_REQUEST_BYTES, max_items=4, max_containers=4)
    if not isinstance(obj, list) or not obj:
        raise DecodeError("sync request: expected a non-empty array")
    tag = expect_int(obj[0], "sync request tag", 0, 255)
    req: Request
    if tag == _T_HEADS:
        expect_list(obj, 1, "Heads")
        req = Heads()
    elif tag == _T_GET_BLOCKS:
        _, proposer, from_seq, limit = expect_list(obj, 4, "GetBlocks")
        req = GetBlocks(proposer, from_seq, limit)
    elif tag == _T_GET:
        _, cid = expect_list(obj, 2, "Get")
        req = Get(cid_to_text(expect_bytes(cid, "Get cid", CID_BYTES_LEN)))
    else:
        raise DecodeError(f"unknown sync request tag {tag}")
    if encode_request(req) != bytes(data):
        raise DecodeError("sync request bytes are not canonical")
    return req


# --- responses ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeadsResp:
    """Per proposer (each at most once): (proposer, latest committed seq, its block id, count).

    ``count`` is how many of that proposer's blocks the peer holds committed.
    A node that learned a late commit live (so its head matches) but missed
    earlier ones sees a larger count and knows to look for gaps below its head.
    """

    heads: tuple[tuple[str, int, str, int], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.heads, tuple) or len(self.heads) > MAX_HEADS:
            raise DecodeError(f"HeadsResp: at most {MAX_HEADS} heads")
        seen: set[str] = set()
        for head in self.heads:
            if not isinstance(head, tuple) or len(head) != 4:
                raise DecodeError("HeadsResp: each head is (proposer, seq, block_id, count)")
            proposer, seq, block_id, count = head
            expect_peer_id_shape(proposer, "HeadsResp proposer")
            expect_int(seq, "HeadsResp seq", 1, MAX_SEQ)
            expect_int(count, "HeadsResp count", 1, seq)
            if proposer in seen:
                raise DecodeError(f"HeadsResp: proposer {proposer} listed twice")
            seen.add(proposer)
            _cid_bin(block_id, "HeadsResp block_id")


@dataclass(frozen=True, slots=True)
class BlocksResp:
    """Encoded blocks with their encoded certificates, in seq order as the server sent them."""

    items: tuple[tuple[bytes, bytes], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple) or len(self.items) > MAX_LIMIT:
            raise DecodeError(f"BlocksResp: at most {MAX_LIMIT} items")
        for item in self.items:
            if not isinstance(item, tuple) or len(item) != 2:
                raise DecodeError("BlocksResp: each item is (block_bytes, cert_bytes)")
            expect_bytes(item[0], "BlocksResp block", max_len=MAX_BLOCK_BYTES)
            expect_bytes(item[1], "BlocksResp certificate", max_len=MAX_CERT_BYTES)

    @classmethod
    def fitting(
        cls, items: list[tuple[bytes, bytes]], max_bytes: int = MAX_RESPONSE_BYTES
    ) -> BlocksResp:
        """The longest prefix of ``items`` whose encoding fits in ``max_bytes``.

        For servers: a batch of large blocks is cut short rather than refused;
        the client asks again from the next seq.
        """
        budget = max_bytes - 16  # array headers and the tag
        kept: list[tuple[bytes, bytes]] = []
        for block, cert in items[:MAX_LIMIT]:
            budget -= len(block) + len(cert) + 12  # two bin headers, one array header
            if budget < 0:
                break
            kept.append((block, cert))
        return cls(tuple(kept))


@dataclass(frozen=True, slots=True)
class GetResp:
    """One block (or None if unknown here) and its certificate (None if not committed)."""

    block: bytes | None
    cert: bytes | None

    def __post_init__(self) -> None:
        if self.block is not None:
            expect_bytes(self.block, "GetResp block", max_len=MAX_BLOCK_BYTES)
        if self.cert is not None:
            expect_bytes(self.cert, "GetResp certificate", max_len=MAX_CERT_BYTES)


@dataclass(frozen=True, slots=True)
class ErrorResp:
    """The server refused: ``code`` (ERR_*) and a short human message."""

    code: int
    message: str

    def __post_init__(self) -> None:
        expect_int(self.code, "ErrorResp code", 0, 65535)
        expect_str(self.message, "ErrorResp message", MAX_ERROR_MESSAGE)


Response = HeadsResp | BlocksResp | GetResp | ErrorResp


def _response_obj(resp: Response) -> list[Any]:
    if isinstance(resp, HeadsResp):
        return [_R_HEADS, [[p, s, cid_from_text(b), n] for p, s, b, n in resp.heads]]
    if isinstance(resp, BlocksResp):
        return [_R_BLOCKS, [[b, c] for b, c in resp.items]]
    if isinstance(resp, GetResp):
        return [_R_GET, resp.block, resp.cert]
    if isinstance(resp, ErrorResp):
        return [_R_ERROR, resp.code, resp.message]
    raise LocalError(f"not a sync response: {type(resp).__name__}")


def encode_response(resp: Response) -> bytes:
    """Wire bytes of a response; LocalError if over MAX_RESPONSE_BYTES (see BlocksResp.fitting)."""
    data = packb(_response_obj(resp))
    if len(data) > MAX_RESPONSE_BYTES:
        raise LocalError(f"sync response of {len(data)} bytes exceeds {MAX_RESPONSE_BYTES}")
    return data


def decode_response(data: bytes) -> Response:
    """Decode a response; raises DecodeError on anything malformed or non-canonical."""
    obj = unpackb(data, max_bytes=MAX_RESPONSE_BYTES, max_items=MAX_HEADS,
                 max_containers=max(MAX_HEADS, MAX_LIMIT) + 4)  # one per head or item, and the outer two
    if not isinstance(obj, list) or not obj:
        raise DecodeError("sync response: expected a non-empty array")
    tag = expect_int(obj[0], "sync response tag", 0, 255)
    resp: Response
    if tag == _R_HEADS:
        _, heads = expect_list(obj, 2, "HeadsResp")
        if not isinstance(heads, list):
            raise DecodeError("HeadsResp: expected an array of heads")
        parsed = []
        for head in heads:
            proposer, seq, cid, count = expect_list(head, 4, "HeadsResp head")
            parsed.append(
                (proposer, seq, cid_to_text(expect_bytes(cid, "HeadsResp block_id", CID_BYTES_LEN)), count)
            )
        resp = HeadsResp(tuple(parsed))
    elif tag == _R_BLOCKS:
        _, items = expect_list(obj, 2, "BlocksResp")
        if not isinstance(items, list) or len(items) > MAX_LIMIT:
            raise DecodeError(f"BlocksResp: expected an array of at most {MAX_LIMIT} items")
        resp = BlocksResp(tuple(tuple(expect_list(it, 2, "BlocksResp item")) for it in items))
    elif tag == _R_GET:
        _, block, cert = expect_list(obj, 3, "GetResp")
        resp = GetResp(block, cert)
    elif tag == _R_ERROR:
        _, code, message = expect_list(obj, 3, "ErrorResp")
        resp = ErrorResp(code, message)
    else:
        raise DecodeError(f"unknown sync response tag {tag}")
    # The unpacked tree is exactly what _response_obj(resp) rebuilds (every
    # field is taken 1:1 and validated), so re-pack it directly: rebuilding
    # re-converted every head's block id through base32 (finding 1: a
    # 1024-head answer from anyone cost tens of ms).
    if packb(obj) != bytes(data):
        raise DecodeError("sync response bytes are not canonical")
    return resp


# --- serving rules -----------------------------------------------------------------


#: How many single peers' serving budgets all strangers (peers the caller does not
#: know: not genesis members) share, as ``BudgetParams.stranger_pool`` elsewhere.
SERVE_STRANGER_POOL = 2.0
#: A stranger that asked within this long shares the strangers' pool (ServeGate)
STRANGER_ACTIVE_MS = 10_000


@dataclass(slots=True)
class _Account:
    """One requester's buckets, or all strangers' together (the pool)."""

    tokens: float  # requests
    byte_tokens: float  # answer bytes; below 0 is debt
    last_ms: float
    inflight: int = 0
    pooled: int = 0  # of those in flight, how many the pool was charged for as well


@dataclass(frozen=True, slots=True)
class _Limits:
    rate: float  # request tokens per ms
    burst: float
    byte_rate: float  # bytes per ms
    byte_burst: float
    inflight: int

    def scaled(self, factor: float) -> _Limits:
        return _Limits(self.rate * factor, self.burst * factor, self.byte_rate * factor,
                       self.byte_burst * factor, max(1, int(self.inflight * factor)))

    def share(self, n: int) -> _Limits:
        """One of ``n`` fair shares of these limits: each still admits one request at a time."""
        f = 1.0 / max(1, n)
        return _Limits(self.rate * f, max(1.0, self.burst * f), self.byte_rate * f, self.byte_burst * f,
                       max(1, int(self.inflight * f)))

    def fresh(self, now_ms: int) -> _Account:
        return _Account(self.burst, self.byte_burst, float(now_ms))

    def refill(self, acct: _Account, now_ms: int) -> None:
        elapsed = max(0.0, now_ms - acct.last_ms)
        acct.tokens = min(self.burst, acct.tokens + elapsed * self.rate)
        acct.byte_tokens = min(self.byte_burst, acct.byte_tokens + elapsed * self.byte_rate)
        acct.last_ms = max(acct.last_ms, float(now_ms))

    def allows(self, acct: _Account) -> bool:
        return acct.inflight < self.inflight and acct.tokens >= 1.0 and acct.byte_tokens > 0.0

    def owes(self, acct: _Account, now_ms: int) -> bool:
        """Still in byte debt at ``now_ms`` (without refilling the account)."""
        return acct.byte_tokens + max(0.0, now_ms - acct.last_ms) * self.byte_rate < 0.0


def _nobody_known(peer: str) -> bool:
    return False


class ServeGate:
    """Who may be served now: in-flight caps, request and byte buckets (finding 11).

    ``admit(peer, now_ms)`` says yes (and counts the request in flight until
    ``release(peer, response_bytes)``) or no, in which case the server answers
    ERR_BUSY at once without touching the store: one peer flooding requests
    costs itself round trips and everyone else nothing.

    A peer id costs nothing, so buckets per id alone gave N sybils N budgets
    (review 7, finding 4). A stranger (``is_known(peer)`` false; by default
    everyone) is charged to its own buckets **and** to one pool all strangers
    share, ``stranger_pool`` peers' worth of requests, bytes and requests in
    flight. Known peers (the genesis members) keep budgets of their own that
    strangers cannot spend.

    The pool is shared fairly, not first come first served: a stranger may draw
    at most its share of it, the pool divided by the strangers that asked in
    the last ``STRANGER_ACTIVE_MS`` (requests, bytes and requests in flight,
    each a bucket of its own per stranger at that share). Two fresh ids polling
    at their own full rate took the whole pool before, and every other stranger
    (an observer catching up) was answered busy for as long as they kept it up
    (review 37, finding 2).

    The table is bounded; when full, idle entries are forgotten. An entry with
    a request in flight or still in byte debt is kept: forgetting it would
    give its peer a fresh bucket and wipe the debt. How many strangers can be
    in debt at once is bounded by the pool, and known peers by the genesis.
    """

    def __init__(self, params: SyncParams, is_known: Callable[[str], bool] = _nobody_known,
                 stranger_pool: float = SERVE_STRANGER_POOL) -> None:
        params.validate()
        if not 0.0 < stranger_pool <= 1e6:
            raise LocalError(f"stranger_pool must be in (0, 1e6], got {stranger_pool!r}")
        self._own = _Limits(params.serve_rate_per_s / 1000.0, float(params.serve_burst),
                            params.serve_bytes_per_s / 1000.0, float(params.serve_bytes_burst),
                            params.serve_inflight_per_peer)
        self._pool_limits = self._own.scaled(stranger_pool)
        self._is_known = is_known
        self._max = params.serve_max_peers
        self._peers: dict[str, _Account] = {}
        self._pool: _Account | None = None  # created by the first stranger
        #: per stranger, what it drew of the pool, in buckets of its fair share
        self._shares: dict[str, _Account] = {}
        #: strangers that asked in the last STRANGER_ACTIVE_MS
        self._active: RecentKeys[str] = RecentKeys(STRANGER_ACTIVE_MS, self._max)
        self.refused = 0

    def admit(self, peer: str, now_ms: int) -> bool:
        acct = self._account(peer, now_ms)
        self._own.refill(acct, now_ms)
        pool = share = None
        allowed = self._own.allows(acct)
        if not self._is_known(peer):
            pool = self._stranger_pool(now_ms)
            share, share_limits = self._share(peer, now_ms)
            # The share binds only while the pool runs short: shares nobody uses are not lost (a
            # fixed 1/n let idle ids asking once in 10 s cut an observer to 1/(n + 1): review 37d, D3).
            allowed = allowed and self._pool_limits.allows(pool) and (
                not self._pool_short(pool) or share_limits.allows(share))
        if not allowed:
            self.refused += 1
            return False
        acct.tokens -= 1.0
        acct.inflight += 1
        if pool is not None and share is not None:
            pool.tokens -= 1.0
            pool.inflight += 1
            share.tokens -= 1.0
            share.inflight += 1
            acct.pooled += 1
        return True

    def _pool_short(self, pool: _Account) -> bool:
        """Under half of the pool's burst left, in requests, bytes or requests in flight."""
        lim = self._pool_limits
        return (pool.tokens < lim.burst / 2 or pool.byte_tokens < lim.byte_burst / 2
                or pool.inflight * 2 >= lim.inflight)

    def _share(self, peer: str, now_ms: int) -> tuple[_Account, _Limits]:
        """The stranger's fair share of the pool now: its own account of what it drew, and the
        pool's limits divided by the strangers that asked lately (itself included)."""
        limits = self._pool_limits.share(self._active.touch(peer, now_ms))
        share = self._shares.get(peer)
        if share is None:
            share = self._shares[peer] = limits.fresh(now_ms)
        limits.refill(share, now_ms)
        return share, limits

    def release(self, peer: str, response_bytes: int = 0) -> None:
        """The request is answered with ``response_bytes``: charged to the peer's byte
        bucket (and the strangers' pool if it was charged at admission), which may go
        into debt (the peer's next requests, or all strangers', wait the debt out)."""
        acct = self._peers.get(peer)
        if acct is None:
            return
        acct.byte_tokens -= response_bytes
        if acct.inflight > 0:
            acct.inflight -= 1
        if acct.pooled > 0 and self._pool is not None:
            acct.pooled -= 1
            self._pool.byte_tokens -= response_bytes
            self._pool.inflight = max(0, self._pool.inflight - 1)
            share = self._shares.get(peer)
            if share is not None:
                share.byte_tokens -= response_bytes
                share.inflight = max(0, share.inflight - 1)

    def inflight(self, peer: str) -> int:
        acct = self._peers.get(peer)
        return acct.inflight if acct else 0

    def pool_inflight(self) -> int:
        """Strangers' requests in flight, all together."""
        return self._pool.inflight if self._pool else 0

    def __len__(self) -> int:
        return len(self._peers)

    def _account(self, peer: str, now_ms: int) -> _Account:
        acct = self._peers.get(peer)
        if acct is None:
            if len(self._peers) >= self._max:
                self._forget_idle(now_ms)
            acct = self._peers[peer] = self._own.fresh(now_ms)
        return acct

    def _stranger_pool(self, now_ms: int) -> _Account:
        if self._pool is None:
            self._pool = self._pool_limits.fresh(now_ms)
        self._pool_limits.refill(self._pool, now_ms)
        return self._pool

    def _forget_idle(self, now_ms: int) -> None:
        # The idle half, oldest first; never an entry in flight or in debt.
        idle = sorted((a.last_ms, p) for p, a in self._peers.items()
                      if a.inflight == 0 and not self._own.owes(a, now_ms))
        for _, p in idle[: max(1, len(idle) // 2)]:
            del self._peers[p]
            self._shares.pop(p, None)


class BlocksFitter:
    """Fill one BlocksResp up to the response cap without loading what cannot fit.

    The server asks :meth:`chunk` how many rows to load next: as many as are
    sure to fit even if each is the largest block the genesis allows, at
    least one. Each loaded item is offered to :meth:`take`; the first that
    does not fit ends the response (the client asks again from its seq).
    So at most one loaded row is ever wasted, where the old server loaded 32
    payloads and then trimmed.
    """

    def __init__(self, max_items: int, max_block_bytes: int, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.items: list[tuple[bytes, bytes]] = []
        self._left_items = min(max_items, MAX_LIMIT)
        self._budget = max_bytes - 16  # the array headers and the tag
        # An item costs its block, its certificate and three msgpack headers.
        self._item_max = max_block_bytes + MAX_CERT_BYTES + 12
        self.done = self._left_items <= 0

    def chunk(self) -> int:
        """How many rows to load next (0 when the response is complete)."""
        if self.done:
            return 0
        return max(1, min(self._left_items, self._budget // self._item_max))

    def take(self, block: bytes, cert: bytes) -> bool:
        """Add one item if it fits; False (and done) if it does not."""
        cost = len(block) + len(cert) + 12
        if self.done or cost > self._budget:
            self.done = True
            return False
        self.items.append((block, cert))
        self._budget -= cost
        self._left_items -= 1
        self.done = self._left_items <= 0
        return True

    def response(self) -> BlocksResp:
        return BlocksResp(tuple(self.items))
