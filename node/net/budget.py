"""The per-peer resource budget: what one connected peer may cost us, and what it loses for more.

Theory of operation
-------------------
Every cost a remote peer can impose is charged to the *connected peer that
sent it* (the gossip forwarder, the stream's remote end): never to an
identity named inside the message, which anyone can forge. Four resources are
metered per peer, each with its own bound (values in :class:`BudgetParams`):

* **messages** and **bytes** of gossip received: token buckets. A message over
  budget is dropped before libp2p checks its signature or runs a validator;
* **verification CPU**: seconds of decode + signature work spent in the
  verification thread on this peer's messages, a token bucket in CPU seconds.
  While it is empty the peer's messages are ignored unchecked;
* **open requests**: sync streams served at once (``node.net.streams``).

Going over a budget costs the peer only the excess: it is dropped, ignored
or answered "busy", and counted. It costs no standing, because an honest peer
can be over budget through no fault of its own: it may be relaying a burst
of *valid* messages that a byzantine validator signed.

Standing is a number <= 0 (0 = good). It drops by a fixed penalty for each
thing only a misbehaving peer does, and recovers linearly toward 0 with time:

* a message that fails validation (malformed, bad signature, not a member):
  ``penalty_invalid``. An honest peer never forwards one: it runs the same
  pure validators before forwarding;
* a sync request that is malformed or over the size cap:
  ``penalty_bad_request``;
* a message it keeps sending while below ``publish_threshold`` (which only
  the two above can bring about): ``penalty_over_budget``.

Below ``gossip_threshold`` libp2p stops gossiping to it; below
``publish_threshold`` its gossip is dropped unread (each such message counts
as over budget, so a peer that keeps sending sinks further); at ``disconnect_below`` it
is disconnected and refused for ``ban_s`` seconds (then its standing restarts
at ``disconnect_below / 2``, so a repeat offender is banned again quickly).

**Strangers share one pool.** A peer id costs nothing (a key pair), so a
per-peer budget alone gives N sybils N budgets. Peers are *known* when the
node has a reason to trust them with a budget of their own: the genesis
validators, and peers the node dialled itself (:meth:`Budget.add_known`).
Every other peer, a *stranger*, spends its own buckets **and** one pool that
all strangers share, ``stranger_pool`` times one peer's budget (messages,
bytes, verification CPU, queued verifications, open requests). So any number
of sybils together get what ``stranger_pool`` strangers get, while every
validator keeps its full budget whatever the crowd does.

Memory is bounded: at most ``max_peers`` ledgers (the least recently active
ledger of a peer without open requests is forgotten first) and at most
``max_bans`` bans (the one ending soonest is dropped first).

This module is pure bookkeeping: the caller passes ``now`` (seconds, any
monotonic clock) and carries out what :meth:`Budget.due_bans` and
:meth:`Budget.due_unbans` return.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, fields

from protocol.errors import ConfigError
from protocol.lru import RecentKeys

MIB = 1 << 20


#: a stranger that asked for a request slot within this long shares the strangers' slots
STRANGER_ACTIVE_S = 10.0


@dataclass(frozen=True, slots=True)
class BudgetParams:
    """Per-peer budget; every bound with its default. See the module docstring.

    Fields:
        msg_rate, msg_burst: gossip messages per second from one peer, and
            how many may arrive at once (honest peak: a few hundred per second
            on a 31-validator network, mostly vote batches).
        byte_rate, byte_burst: gossip payload bytes per second from one peer.
        cpu_rate, cpu_burst: verification CPU seconds per second spent on one
            peer's messages (0.25 = a quarter of a core, sustained).
        max_inflight_verifications: one peer's messages being verified at
            once; further ones wait, up to ``max_queued_verifications``.
        max_queued_verifications: one peer's messages waiting for the
            verification thread; beyond this they are ignored (over budget).
        max_open_requests: sync requests from one peer served at once.
        penalty_invalid, penalty_bad_request: standing lost per invalid
            message and per bad request.
        penalty_over_budget: standing lost per message sent while below
            ``publish_threshold`` (plain budget overruns cost none).
        recovery_per_s: standing regained per second, up to 0.
        gossip_threshold, publish_threshold: standing below which libp2p stops
            gossiping to the peer, and below which its messages are dropped.
        disconnect_below: standing at which the peer is disconnected and banned.
        ban_s: how long a ban lasts.
        max_peers, max_bans: memory bounds of the ledger.
        stranger_pool: how many single-peer budgets all strangers (peers not
            known, see the module docstring) share, on top of each one's own.
        max_known: memory bound of the set of known peers.
    """

    msg_rate: float = 500.0
    msg_burst: float = 2000.0
    byte_rate: float = 16.0 * MIB
    byte_burst: float = 64.0 * MIB
    cpu_rate: float = 0.25
    cpu_burst: float = 2.0
    max_inflight_verifications: int = 4
    max_queued_verifications: int = 64
    max_open_requests: int = 4
    penalty_invalid: float = 10.0
    penalty_over_budget: float = 1.0
    penalty_bad_request: float = 5.0
    recovery_per_s: float = 1.0
    gossip_threshold: float = -20.0
    publish_threshold: float = -50.0
    disconnect_below: float = -100.0
    ban_s: float = 300.0
    max_peers: int = 1024
    max_bans: int = 4096
    stranger_pool: float = 2.0
    max_known: int = 4096

    @classmethod
    def default(cls) -> BudgetParams:
        return cls()

    def validate(self) -> None:
        """Raise ConfigError naming the first field out of range."""
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name.endswith("_threshold") or f.name == "disconnect_below":
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
                raise ConfigError(f"net.budget.{f.name}: must be a positive finite number")
        if not self.disconnect_below < self.publish_threshold <= self.gossip_threshold < 0:
            raise ConfigError(
                "net.budget: need disconnect_below < publish_threshold <= gossip_threshold < 0")
        for name in ("max_inflight_verifications", "max_queued_verifications",
                     "max_open_requests", "max_peers", "max_bans", "max_known"):
            if not isinstance(getattr(self, name), int):
                raise ConfigError(f"net.budget.{name}: must be an integer")


@dataclass(frozen=True, slots=True)
class PeerBudgetView:
    """One peer's budget use and standing, as ``attnshare peers`` shows it."""

    peer_id: str
    standing: float
    messages: int
    bytes: int
    cpu_ms: float
    open_requests: int
    invalid: int
    over_budget: int
    bad_requests: int
    banned_until: float | None


class _Bucket:
    __slots__ = ("burst", "last", "rate", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.last = rate, burst, burst, now

    def refill(self, now: float) -> float:
        if now > self.last:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now
        return self.tokens


class _Ledger:
    __slots__ = ("bad_requests", "bytes", "bytes_bucket", "cpu_bucket", "cpu_s", "invalid",
                 "messages", "msg_bucket", "open_requests", "over_budget", "pool_requests",
                 "rpc_bucket", "standing", "standing_at", "wire_bucket")

    def __init__(self, p: BudgetParams, now: float) -> None:
        self.msg_bucket = _Bucket(p.msg_rate, p.msg_burst, now)
        self.bytes_bucket = _Bucket(p.byte_rate, p.byte_burst, now)
        self.cpu_bucket = _Bucket(p.cpu_rate, p.cpu_burst, now)
        # Every pubsub RPC read off the wire (control messages included), apart
        # from the gossip messages they carry: same rates, separate buckets.
        self.rpc_bucket = _Bucket(p.msg_rate, p.msg_burst, now)
        self.wire_bucket = _Bucket(p.byte_rate, p.byte_burst, now)
        self.standing = 0.0
        self.standing_at = now
        self.messages = self.bytes = self.open_requests = self.pool_requests = 0
        self.invalid = self.over_budget = self.bad_requests = 0
        self.cpu_s = 0.0


class Budget:
    """Ledgers of every peer we talk to; see the module docstring."""

    def __init__(self, params: BudgetParams | None = None) -> None:
        self.params = params or BudgetParams()
        self.params.validate()
        self._ledgers: OrderedDict[str, _Ledger] = OrderedDict()
        self._bans: dict[str, float] = {}  # peer -> ban end
        self._due: set[str] = set()  # crossed disconnect_below, not yet banned by the host
        self._released: set[str] = set()  # bans dropped early (max_bans): to hand back as unbans
        self._known: set[str] = set()
        self.wire_waits = 0  # pubsub RPC reads held back (a peer over its wire rate)
        self.wire_wait_s = 0.0
        # What all strangers share: a ledger whose buckets are stranger_pool peers' worth.
        p = self.params
        self._pool = _Ledger(BudgetParams(
            msg_rate=p.msg_rate * p.stranger_pool, msg_burst=p.msg_burst * p.stranger_pool,
            byte_rate=p.byte_rate * p.stranger_pool, byte_burst=p.byte_burst * p.stranger_pool,
            cpu_rate=p.cpu_rate * p.stranger_pool, cpu_burst=p.cpu_burst * p.stranger_pool), 0.0)
        self._pool_started = False
        #: open requests all strangers may hold at once, and queued verifications
        self.pool_open_requests = max(1, int(p.max_open_requests * p.stranger_pool))
        #: strangers by when they last asked for a request slot (oldest first): the last
        #: STRANGER_ACTIVE_S of them share the pool's slots fairly (open_request)
        self._askers: RecentKeys[str] = RecentKeys(STRANGER_ACTIVE_S, self.params.max_peers)
        self.pool_queued_verifications = max(1, int(p.max_queued_verifications * p.stranger_pool))

    # ---------------------------------------------------------------- known
    def add_known(self, peers: object) -> None:
        """Give ``peers`` (an iterable of peer ids) budgets of their own, outside the stranger pool."""
        for peer in peers:  # type: ignore[attr-defined]
            if len(self._known) >= self.params.max_known:
                return
            self._known.add(str(peer))

    def is_known(self, peer: str) -> bool:
        """A genesis validator or a peer we dialled: not a stranger."""
        return peer in self._known

    def _pool_at(self, now: float) -> _Ledger:
        if not self._pool_started:  # buckets start full at the first use's clock
            for b in (self._pool.msg_bucket, self._pool.bytes_bucket, self._pool.cpu_bucket):
                b.last = now
            self._pool_started = True
        return self._pool

    # ------------------------------------------------------------- ledgers
    def _ledger(self, peer: str, now: float) -> _Ledger:
        led = self._ledgers.get(peer)
        if led is None:
            if len(self._ledgers) >= self.params.max_peers:
                self._evict(now)
            led = self._ledgers[peer] = _Ledger(self.params, now)
        else:
            self._ledgers.move_to_end(peer)
        return led

    def _evict(self, now: float) -> None:
        # Least recently active first, preferring a ledger with nothing to
        # remember: full standing and no open requests. Forgetting a peer in
        # bad standing would pardon it, so many fresh peers (a sybil crowd)
        # cannot launder one. A peer with open requests keeps its ledger (its
        # release must find it); if none qualifies, drop the oldest anyway:
        # close_request() tolerates a missing ledger.
        # Strangers' ledgers go before known peers' (a sybil crowd must not
        # push a validator's ledger out).
        victim = None
        fallback = None
        known_victim = None
        for k, v in self._ledgers.items():
            if v.open_requests:
                continue
            self._recover(v, now)
            if v.standing >= 0.0:
                if k not in self._known:
                    victim = k
                    break
                if known_victim is None:
                    known_victim = k
                continue
            if fallback is None:
                fallback = k
        victim = victim or known_victim or fallback or next(iter(self._ledgers))
        self._pool.open_requests -= self._ledgers[victim].pool_requests  # its release finds no ledger
        del self._ledgers[victim]
        self._due.discard(victim)

    def _recover(self, led: _Ledger, now: float) -> None:
        if now > led.standing_at:
            led.standing = min(0.0, led.standing + (now - led.standing_at) * self.params.recovery_per_s)
            led.standing_at = now

    def standing(self, peer: str, now: float) -> float:
        """The peer's standing now (0 for a peer we have no ledger for)."""
        led = self._ledgers.get(peer)
        if led is None:
            return 0.0
        self._recover(led, now)
        return led.standing

    def penalize(self, peer: str, amount: float, now: float) -> float:
        """Lower the peer's standing by ``amount``; return the new standing."""
        led = self._ledger(peer, now)
        self._recover(led, now)
        led.standing -= amount
        if led.standing <= self.params.disconnect_below and peer not in self._bans:
            self._due.add(peer)
        return led.standing

    def reject(self, peer: str, now: float) -> None:
        """A message from ``peer`` failed validation."""
        self._ledger(peer, now).invalid += 1
        self.penalize(peer, self.params.penalty_invalid, now)

    def bad_request(self, peer: str, now: float) -> None:
        """A sync request from ``peer`` was malformed or abusive."""
        self._ledger(peer, now).bad_requests += 1
        self.penalize(peer, self.params.penalty_bad_request, now)

    def _over(self, peer: str, led: _Ledger, now: float, *, penalty: float = 0.0) -> bool:
        led.over_budget += 1
        if penalty:
            self.penalize(peer, penalty, now)
        return False

    # ---------------------------------------------------------------- gossip
    def admit_message(self, peer: str, nbytes: int, now: float) -> bool:
        """Spend one message and ``nbytes`` from the peer's buckets; False: drop it unread."""
        if self.is_banned(peer, now):
            return False
        led = self._ledger(peer, now)
        if self.standing(peer, now) < self.params.publish_threshold:
            # Still sending while graylisted: each message costs a little more,
            # so a peer that keeps it up reaches disconnect_below.
            return self._over(peer, led, now, penalty=self.params.penalty_over_budget)
        if led.msg_bucket.refill(now) < 1.0 or led.bytes_bucket.refill(now) < nbytes:
            return self._over(peer, led, now)
        if peer not in self._known:
            pool = self._pool_at(now)
            if pool.msg_bucket.refill(now) < 1.0 or pool.bytes_bucket.refill(now) < nbytes:
                pool.over_budget += 1
                return self._over(peer, led, now)
            pool.msg_bucket.tokens -= 1.0
            pool.bytes_bucket.tokens -= nbytes
            pool.messages += 1
            pool.bytes += nbytes
        led.msg_bucket.tokens -= 1.0
        led.bytes_bucket.tokens -= nbytes
        led.messages += 1
        led.bytes += nbytes
        return True

    def wire_delay(self, peer: str, nbytes: int, now: float) -> float:
        """Charge one pubsub RPC of ``nbytes`` read from ``peer``; return how long to wait
        before reading its next one (0: at once).

        Control messages (IHAVE, IWANT, GRAFT, PRUNE, subscriptions) and the
        signed peer record libp2p verifies on every RPC cost work but carry no
        gossip message, so the gossip gate never saw them. The reader waits
        instead of dropping: the peer's own writes then stall (TCP and yamux
        back-pressure), and an honest peer, far below these rates, never waits.
        """
        led = self._ledger(peer, now)
        buckets = [led.rpc_bucket, led.wire_bucket]
        if peer not in self._known:
            pool = self._pool_at(now)
            buckets += [pool.rpc_bucket, pool.wire_bucket]
        wait = 0.0
        for bucket, cost in zip(buckets, (1.0, float(nbytes)) * (len(buckets) // 2), strict=True):
            bucket.refill(now)
            bucket.tokens -= cost
            if bucket.tokens < 0.0:
                wait = max(wait, -bucket.tokens / bucket.rate)
        if wait > 0.0:
            self.wire_waits += 1
            self.wire_wait_s += wait
        return wait

    def cpu_available(self, peer: str, now: float) -> bool:
        """May we spend verification CPU on this peer now? (False counts as over budget.)"""
        led = self._ledger(peer, now)
        if led.cpu_bucket.refill(now) <= 0.0:
            return self._over(peer, led, now)
        if peer not in self._known and self._pool_at(now).cpu_bucket.refill(now) <= 0.0:
            self._pool.over_budget += 1
            return self._over(peer, led, now)
        return True

    def charge_cpu(self, peer: str, seconds: float, now: float) -> None:
        """Charge verification CPU; the bucket may go negative (the next messages wait it out)."""
        led = self._ledger(peer, now)
        led.cpu_bucket.refill(now)
        led.cpu_bucket.tokens -= seconds
        led.cpu_s += seconds
        if peer not in self._known:
            pool = self._pool_at(now)
            pool.cpu_bucket.refill(now)
            pool.cpu_bucket.tokens -= seconds
            pool.cpu_s += seconds

    def over_budget(self, peer: str, now: float) -> None:
        """Count an over-budget event detected elsewhere (e.g. too many queued verifications)."""
        self._over(peer, self._ledger(peer, now), now)

    # -------------------------------------------------------------- requests
    def open_request(self, peer: str, now: float) -> bool:
        """Take one of the peer's request slots; False (and a penalty) when all are taken."""
        if self.is_banned(peer, now):
            return False
        led = self._ledger(peer, now)
        if led.open_requests >= self.params.max_open_requests:
            return self._over(peer, led, now)
        stranger = peer not in self._known
        share = self._slot_share(peer, now) if stranger else 0  # counts the asker, refused or not
        # The share binds only once half the strangers' slots are taken (review 37d, D3: shares
        # of idle ids are not lost).
        crowded = self._pool.open_requests * 2 >= self.pool_open_requests
        if stranger and (self._pool.open_requests >= self.pool_open_requests
                         or (crowded and led.pool_requests >= share)):
            self._pool.over_budget += 1
            return self._over(peer, led, now)
        led.open_requests += 1
        if stranger:
            self._pool.open_requests += 1
            led.pool_requests += 1
        return True

    def _slot_share(self, peer: str, now: float) -> int:
        """How many of the strangers' request slots ``peer`` may hold: a fair share among the
        strangers that asked in the last STRANGER_ACTIVE_S (itself included). First come, first
        served, two ids each holding 4 streams that never sent their request kept all 8 slots,
        and every other stranger was answered busy (review 37, finding 2)."""
        return max(1, self.pool_open_requests // self._askers.touch(peer, now))

    def close_request(self, peer: str) -> None:
        led = self._ledgers.get(peer)
        if led is not None and led.open_requests > 0:
            led.open_requests -= 1
            if led.pool_requests > 0:  # taken from the pool (the peer may be known by now)
                led.pool_requests -= 1
                self._pool.open_requests -= 1

    def pool_view(self, now: float) -> PeerBudgetView:
        """What all strangers together have used, as one pseudo-peer ``(strangers)``."""
        pool = self._pool_at(now)
        return PeerBudgetView("(strangers)", 0.0, pool.messages, pool.bytes,
                              round(pool.cpu_s * 1000.0, 3), pool.open_requests, 0,
                              pool.over_budget, 0, None)

    # ------------------------------------------------------------------ bans
    def is_banned(self, peer: str, now: float) -> bool:
        end = self._bans.get(peer)
        return end is not None and now < end

    def due_bans(self, now: float) -> list[str]:
        """Peers that just crossed ``disconnect_below``: the caller disconnects and refuses them."""
        out = sorted(self._due)
        self._due.clear()
        for peer in out:
            if len(self._bans) >= self.params.max_bans:
                dropped = min(self._bans, key=self._bans.__getitem__)
                del self._bans[dropped]
                # The caller refused it: due_unbans() must hand it back, or the
                # caller's own block list keeps it for ever and grows with every
                # ban past max_bans (a sybil crowd getting itself banned).
                self._released.add(dropped)
            self._bans[peer] = now + self.params.ban_s
        return out

    def due_unbans(self, now: float) -> list[str]:
        """Bans that ended: the caller lets these peers in again."""
        out = sorted(p for p, end in self._bans.items() if end <= now)
        for peer in out:
            del self._bans[peer]
            led = self._ledgers.get(peer)
            if led is not None:
                led.standing, led.standing_at = self.params.disconnect_below / 2, now
        released = sorted(self._released - self._bans.keys())
        self._released.clear()
        return out + released

    # ------------------------------------------------------------------ view
    def view(self, peer: str, now: float) -> PeerBudgetView:
        led = self._ledgers.get(peer)
        end = self._bans.get(peer)
        if led is None:
            return PeerBudgetView(peer, 0.0, 0, 0, 0.0, 0, 0, 0, 0, end)
        self._recover(led, now)
        return PeerBudgetView(peer, round(led.standing, 3), led.messages, led.bytes,
                              round(led.cpu_s * 1000.0, 3), led.open_requests, led.invalid,
                              led.over_budget, led.bad_requests, end)

    def tracked(self) -> int:
        """How many ledgers are held (bounded by ``max_peers``)."""
        return len(self._ledgers)
