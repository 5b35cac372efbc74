"""GossipSub, configured for attnshare, behind a small trio-native adapter.

Theory of operation
-------------------
py-libp2p 0.8.1's defaults silently lose messages in this system (see
shared/notes/libp2p.md), so the router is built explicitly:

* heartbeat ``config.heartbeat_s`` (default 120 s), and the "adaptive gossip"
  of 0.8.1 switched off: when it judges the network unhealthy it rewrites the
  heartbeat to 30-60 s, whatever we configured;
* ``/meshsub/1.1.0`` and ``/meshsub/1.0.0`` only (1.2.0's per-message
  IDONTWANT made it 3.5x slower here);
* message id = SHA-256 over the topic and the data, never the sender or the
  seqno, so an identical message re-published by anyone is de-duplicated;
* the per-peer, per-topic flat rate limit (10 msg/s, own publishes included)
  off; in its place every message is charged to the peer that sent it, its
  *forwarder* (:mod:`node.net.budget`): a peer over its message or byte
  budget, banned, or below ``publish_threshold`` is dropped before libp2p
  even checks the message's signature;
* peer scoring on, with thresholds set (not libp2p's -inf): the score is the
  budget's standing (application-specific score, weight 1) plus libp2p's own
  control-plane penalties (GRAFT flood, IHAVE/IWANT spam), so libp2p stops
  gossiping to a peer below ``gossip_threshold`` and refuses its GRAFTs below
  the graylist threshold (halfway to ``disconnect_below``);
* validators may be asynchronous (``Inbound -> Verdict``): the expensive part
  runs in a thread (:mod:`node.net.verify`), and a REJECT costs the forwarder
  standing;
* eclipse protection off: it wants mesh peers on 3+ distinct IPs, which a
  devnet on 127.0.0.1 never has;
* strict signing on: every message carries its origin's signature, checked
  before our validator runs, so the origin we report is authenticated.

The validation-result cache is effectively disabled (TTL 0). Duplicates never
reach it: libp2p drops already-seen ids before validating. So all it could
do is remember *rejections*, keyed by content, for 300 s; with content ids a
peer that re-publishes someone else's bytes in a form our validator rejects
would get the genuine copy rejected for five minutes. Validators must still be
pure functions of the bytes (well-formedness, signatures), never of state that
changes (the quorum waits in the consensus layer's pending buffer).

Delivery: libp2p pushes each message into a 32-entry channel per subscription
and drops it when the channel is full. A drain task per subscription moves
messages from there into the caller's bounded channel without ever blocking;
whatever is lost on either hop is counted in ``TopicStats.drops``.

Back-pressure: libp2p's per-peer outbound queue holds 32 RPCs and drops the
rest. ``publish`` waits until every peer subscribed to the topic has fewer
than ``config.send_queue`` RPCs queued; the sender loops wake waiters after
each write (through :class:`Pulse`).

Own messages are delivered to our own subscription too (origin = our id),
as in go-libp2p; consumers that do not want them compare the origin.

Robustness fixes for libp2p 0.8.1 bugs found here:

* it writes to a peer's pubsub stream from three tasks at once (send loop,
  pending-message flush, recent-message replay); a message larger than one
  yamux frame interleaves with another and the peer reads garbage. Writes
  are serialized per stream;
* garbage on a pubsub stream raises protobuf's DecodeError, which libp2p
  does not catch: it escapes into the swarm and stops the whole host. Any
  exception from a peer's pubsub stream or message now only drops that
  stream or message;
* equivocation detection keeps up to 1000 whole messages; we keep digests.

The two subclasses below hook methods of libp2p 0.8.1 (pinned in
pyproject.toml) for these fixes, for the counters and to wake waiters.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import inspect
import logging
import math
import sys
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import trio
from libp2p.abc import IHost, INetStream, ISubscriptionAPI
from libp2p.peer.id import ID
from libp2p.peer.peerstore import env_to_send_in_RPC
from libp2p.pubsub.gossipsub import PROTOCOL_ID, PROTOCOL_ID_V11, GossipSub
from libp2p.pubsub.pb import rpc_pb2
from libp2p.pubsub.pubsub import Pubsub
from libp2p.pubsub.score import ScoreParams
from libp2p.pubsub.utils import safe_bytes_from_hex

from node.net.budget import Budget
from node.net.config import NetConfig
from node.net.errors import LIBP2P_ERRORS, MessageRejected, MessageTooLarge, translate_errors
from node.net.pulse import Pulse
from node.net.stats import Meter
from node.net.verify import AsyncValidator, Inbound, Verdict
from protocol.errors import LocalError

log = logging.getLogger(__name__)

#: A cheap synchronous validator ``(origin, data) -> bool``, or an AsyncValidator.
Validator = Callable[[str, bytes], bool] | AsyncValidator

_EQUIVOCATION_MEMORY = 4096  # (origin, seqno) pairs remembered for equivocation checks
_ORIGIN_CACHE = 4096
_VALIDATION_TASKS = 4096  # async validations waiting or running, all peers together
_IWANT_RETRANSMISSIONS = 3  # one message id served to one peer at most this often (go's GossipRetransmission)
_IWANT_MEMORY = 65_536  # (peer, message id) pairs remembered for that count
_STRANGERS: ID | None = None  # the key of all strangers together in _iwant_served
#: longest topic name a peer may subscribe to: ours are under 64 bytes; libp2p kept any
#: name (100 per peer, up to 1 MiB each: 95 MiB held for one peer)
MAX_TOPIC_BYTES = 256
#: message ids one peer may announce to us in IHAVEs per second (go-libp2p's MaxIHaveLength)
MAX_IHAVE_IDS_PER_S = 5000


#: the peer whose pubsub stream the current task reads (set by _Pubsub.continuously_read_stream)
_READING: contextvars.ContextVar[str | None] = contextvars.ContextVar("pubsub_reading", default=None)
#: the topics the peer subscribed to on the stream the current task reads (set with _READING)
_ANNOUNCED: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("pubsub_announced", default=None)


def content_message_id(msg: rpc_pb2.Message) -> bytes:
    """SHA-256 over the message's topics (length-prefixed) and its data."""
    h = hashlib.sha256()
    for topic in sorted(msg.topicIDs):
        raw = topic.encode()
        h.update(len(raw).to_bytes(4, "big"))
        h.update(raw)
    h.update(b"\xff\xff\xff\xff")  # no topic has this length: separates topics from data
    h.update(msg.data)
    return h.digest()


def score_params(budget: Budget, clock: Callable[[], float]) -> ScoreParams:
    """libp2p's peer scoring driven by the budget's standing, thresholds set."""
    p = budget.params

    def standing(peer: ID) -> float:
        return budget.standing(peer.to_base58(), clock())

    return ScoreParams(
        # libp2p's own control-plane penalties (GRAFT floods, IHAVE/IWANT
        # spam, pubsub equivocation: 5 to 100 points each) count too, decaying
        # 10% per heartbeat; honest peers stay far below their rate triggers.
        p5_behavior_penalty_weight=1.0,
        p5_behavior_penalty_decay=0.9,
        p5_behavior_penalty_threshold=0.0,
        p6_appl_slack_weight=1.0,
        p6_appl_slack_decay=1.0,  # the budget does its own recovery
        app_specific_score_fn=standing,
        gossip_threshold=p.gossip_threshold,
        publish_threshold=p.publish_threshold,
        graylist_threshold=(p.publish_threshold + p.disconnect_below) / 2,
        accept_px_threshold=0.0,  # PX is off anyway (do_px=False)
    )


class _Router(GossipSub):
    def __init__(self, *, meter: Meter, pulse: Pulse, config: NetConfig, budget: Budget,
                 clock: Callable[[], float]) -> None:
        super().__init__(
            protocols=[PROTOCOL_ID_V11, PROTOCOL_ID],
            degree=config.degree,
            degree_low=config.degree_low,
            degree_high=config.degree_high,
            heartbeat_interval=config.heartbeat_s,  # type: ignore[arg-type]  # float works
            heartbeat_initial_delay=min(0.1, config.heartbeat_s),
            do_px=False,  # never dial peers a remote suggests: topology is ours
            adaptive_gossip_enabled=False,
            spam_protection_enabled=False,
            eclipse_protection_enabled=False,
            score_params=score_params(budget, clock),
        )
        self._meter = meter
        self._pulse = pulse
        self._equivocation: OrderedDict[bytes, bytes] = OrderedDict()
        self._max_rpc = config.max_message_bytes
        self._iwant_served: OrderedDict[tuple[ID | None, bytes], int] = OrderedDict()
        self._budget = budget
        # What all strangers together may have of one id: stranger_pool peers' worth.
        self._iwant_pool = max(1, int(_IWANT_RETRANSMISSIONS * budget.params.stranger_pool))
        self._clock = clock
        #: peer -> (start of its current second, ids it announced in it); dropped with the peer
        self._ihave_ids: dict[ID, tuple[float, int]] = {}
        self.ihave_ignored = 0  # announced ids we did not look at (over MAX_IHAVE_IDS_PER_S)

    def _notify_mesh_peer_added(self, peer_id: ID, topic: str) -> None:
        super()._notify_mesh_peer_added(peer_id, topic)
        self._pulse.fire()

    def remove_peer(self, peer_id: ID) -> None:
        super().remove_peer(peer_id)
        self._ihave_ids.pop(peer_id, None)
        self._pulse.fire()

    def _handle_dropped_rpc(self, peer_id: ID, rpc: rpc_pb2.RPC, reason: str) -> None:
        super()._handle_dropped_rpc(peer_id, rpc, reason)
        for msg in rpc.publish:
            for topic in msg.topicIDs:
                self._meter.topic(topic).send_drops += 1
        if rpc.publish:
            log.debug("libp2p dropped %d message(s) to %s: %s", len(rpc.publish), peer_id, reason)

    async def handle_iwant(self, iwant_msg: rpc_pb2.ControlIWant, sender_peer_id: ID) -> None:
        # libp2p copies a cached message into its answer once per listed id, and
        # serves an id to a peer any number of times: one IWANT naming a 64 KiB
        # block 4000 times (400 KB) built a 256 MiB packet. Trim the request
        # first: each id once, each id at most _IWANT_RETRANSMISSIONS times per
        # peer, and no more data than one RPC may carry. A peer id costs
        # nothing, so strangers are also counted together, stranger_pool peers'
        # worth per id (review 7): N sybils do not get N times the answers.
        wanted: list[bytes] = []
        seen: set[bytes] = set()
        budget = self._max_rpc
        stranger = not self._budget.is_known(sender_peer_id.to_base58())
        for wire_id in iwant_msg.messageIDs:
            mid = safe_bytes_from_hex(wire_id)
            if mid is None or mid in seen:
                continue
            seen.add(mid)
            msg = self.mcache.get(mid)
            if msg is None:
                continue
            key = (sender_peer_id, mid)
            served = self._iwant_served.get(key, 0)
            if served >= _IWANT_RETRANSMISSIONS or len(msg.data) > budget:
                continue
            if stranger and not self._count_iwant((_STRANGERS, mid), self._iwant_pool):
                continue
            budget -= len(msg.data)
            self._count_iwant(key, _IWANT_RETRANSMISSIONS)
            wanted.append(wire_id)
        while len(self._iwant_served) > _IWANT_MEMORY:
            self._iwant_served.popitem(last=False)
        if wanted:
            await super().handle_iwant(rpc_pb2.ControlIWant(messageIDs=wanted), sender_peer_id)

    def _count_iwant(self, key: tuple[ID | None, bytes], limit: int) -> bool:
        served = self._iwant_served.get(key, 0)
        if served >= limit:
            return False
        self._iwant_served[key] = served + 1
        self._iwant_served.move_to_end(key)
        return True

    async def handle_ihave(self, ihave_msg: rpc_pb2.ControlIHave, sender_peer_id: ID) -> None:
        # libp2p answers an IHAVE for any topic, subscribed or not, and rate-limits
        # per (peer, topic): naming a new topic in each IHAVE lifted the limit, and
        # each IHAVE of 5000 unseen ids cost a scan and an IWANT of 170 KB back.
        # As go-libp2p: only topics we are in, and at most MAX_IHAVE_IDS_PER_S ids
        # announced per peer per second (the rest are not asked for).
        if ihave_msg.topicID not in self.mesh:
            return
        now = self._clock()
        start, used = self._ihave_ids.get(sender_peer_id, (now, 0))
        if now - start >= 1.0:
            start, used = now, 0
        room = MAX_IHAVE_IDS_PER_S - used
        if room <= 0:
            self.ihave_ignored += len(ihave_msg.messageIDs)
            return
        ids = ihave_msg.messageIDs
        if len(ids) > room:
            self.ihave_ignored += len(ids) - room
            ihave_msg = rpc_pb2.ControlIHave(topicID=ihave_msg.topicID, messageIDs=ids[:room])
        self._ihave_ids[sender_peer_id] = (start, used + len(ihave_msg.messageIDs))
        await super().handle_ihave(ihave_msg, sender_peer_id)

    async def handle_graft(self, graft_msg: rpc_pb2.ControlGraft, sender_peer_id: ID) -> None:
        # libp2p answers a GRAFT for a topic we are not in with a PRUNE (a reply
        # per request, and a flood-tracking entry per topic name). go-libp2p
        # ignores them; so do we.
        if graft_msg.topicID not in self.mesh:
            return
        await super().handle_graft(graft_msg, sender_peer_id)

    async def handle_prune(self, prune_msg: rpc_pb2.ControlPrune, sender_peer_id: ID) -> None:
        # Control messages spend no budget, and libp2p keeps a back-off entry
        # (and a flood-tracking entry) for every (topic, peer) a PRUNE names,
        # whatever the topic, for as long as its ``backoff`` says: random topics
        # grew memory without bound. Only a topic in our mesh has anything to prune.
        if prune_msg.topicID not in self.mesh:
            return
        await super().handle_prune(prune_msg, sender_peer_id)

    def _check_equivocation(self, msg: rpc_pb2.Message) -> bool:
        # libp2p keeps up to 1000 *whole* messages here (64 MB at 64 KiB each);
        # a digest of what the (origin, seqno) pair carried is enough.
        key = msg.from_id + msg.seqno
        digest = content_message_id(msg)
        seen = self._equivocation.get(key)
        if seen is None:
            self._equivocation[key] = digest
            if len(self._equivocation) > _EQUIVOCATION_MEMORY:
                self._equivocation.popitem(last=False)
            return True
        if seen == digest:
            return True
        log.warning("pubsub equivocation by %s (same seqno, different content)", ID(msg.from_id))
        if self.scorer is not None:
            self.scorer.penalize_equivocation(ID(msg.from_id), 100.0)
        return False


class _Pubsub(Pubsub):
    def __init__(self, host: IHost, router: _Router, *, meter: Meter, pulse: Pulse,
                 config: NetConfig, budget: Budget, clock: Callable[[], float]) -> None:
        super().__init__(
            host,
            router,
            strict_signing=True,
            msg_id_constructor=content_message_id,
            seen_ttl=config.seen_ttl_s,
            validation_cache_ttl=0,
            validation_cache_size=1,
            validation_timeout=config.validation_timeout_s,
            # libp2p's default lets 10 async validations run at once for the
            # whole node: one peer with 10 messages queued in our Verifier would
            # hold them all. Our Verifier bounds work per peer; this only bounds tasks.
            max_concurrent_validator_count=_VALIDATION_TASKS,
        )
        # Our publishes' seqnos start at the wall clock in nanoseconds (go-libp2p's choice), not
        # libp2p 0.8.1's seconds: a node that published more messages than seconds passed
        # before it restarted numbered its new messages as its old ones, and every peer
        # took them for equivocation: dropped unread, the node's standing cut by 100 each
        # (session 33: a validator restarted under load could not get its next block out,
        # so it never proposed again while its peers remembered the old seqnos).
        self.counter = time.time_ns()
        self._meter = meter
        self._pulse = pulse
        self._budget = budget
        self._clock = clock
        self.over_budget = 0  # messages dropped unread: sender over budget or in bad standing
        self.ignored_subscriptions = 0  # subscriptions to topic names over MAX_TOPIC_BYTES
        self._write_locks: weakref.WeakKeyDictionary[INetStream, trio.Lock] = (
            weakref.WeakKeyDictionary())
        #: per peer, the topics announced on each of its pubsub streams to us that is being read
        self._inbound: dict[ID, list[set[str]]] = {}
        #: per peer with RPCs queued for it: since when (trio clock) none of them has been written.
        #: Set when a publisher or the host's tick finds the queue non-empty; cleared only by a
        #: completed write (or the peer's leaving), not by a stream re-registered with an empty queue:
        #: a peer that resets its stream must not start afresh. See ``Gossip._wait_send_room``.
        self.unwritten_since: dict[ID, float] = {}
        #: peers in an episode of taking nothing (counted and logged once an episode)
        self.stalled: set[ID] = set()
        self.send_stalls = 0  # episodes of a peer taking none of its queued RPCs for send_stall_s
        #: per peer still connected, when its pubsub streams to us died (the last _STREAM_DEATHS)
        self.stream_deaths: dict[ID, list[float]] = {}

    def wrote(self, peer_id: ID) -> None:
        """A write to the peer completed (or the peer left): its clock of taking nothing restarts."""
        self.unwritten_since.pop(peer_id, None)
        self.stalled.discard(peer_id)

    async def stream_handler(self, stream: INetStream) -> None:
        # libp2p catches only stream errors here. A corrupt or hostile RPC
        # raises protobuf's DecodeError, which escapes into the swarm and takes
        # the whole host down; drop that peer's stream instead.
        peer_id = stream.muxed_conn.peer_id
        try:
            await super().stream_handler(stream)
        except Exception as exc:
            log.warning("pubsub stream from %s failed (%s: %s); dropping it",
                        peer_id, type(exc).__name__, exc)
            with contextlib.suppress(*LIBP2P_ERRORS):
                await stream.reset()
            self._handle_dead_peer(peer_id)

    async def continuously_read_stream(self, stream: INetStream) -> None:
        # Every RPC this peer sends is charged before its body is read (see
        # Budget.wire_delay): control messages and signed peer records spent no
        # budget at all before.
        peer = stream.muxed_conn.peer_id.to_base58()

        async def charge(nbytes: int) -> None:
            delay = self._budget.wire_delay(peer, nbytes, self._clock())
            if delay > 0.0:
                await trio.sleep(delay)

        _READING.set(peer)  # this task reads only this peer's RPCs (see _is_subscribed_to_msg)
        pid = stream.muxed_conn.peer_id
        announced: set[str] = set()
        _ANNOUNCED.set(announced)
        self._inbound.setdefault(pid, []).append(announced)
        try:
            metered = _MeteredStream(stream, charge, cap=self.max_inbound_rpc_size + 1)
            await super().continuously_read_stream(metered)  # type: ignore[arg-type]
        finally:
            streams = self._inbound[pid]
            streams[:] = [t for t in streams if t is not announced]
            if not streams:
                del self._inbound[pid]
            # What only this stream announced goes with it (a restarted peer's new
            # stream announces its own topics; the old ones must not linger).
            self._forget_unannounced(pid)
            self._pulse.fire()

    async def write_msg(self, stream: INetStream, rpc_msg: rpc_pb2.RPC) -> bool:
        # libp2p writes to one peer's stream from three tasks (the send loop,
        # flush_pending_messages, send_recent_messages). A message bigger than
        # one yamux frame then interleaves with another and the peer reads
        # garbage. One writer per stream at a time.
        lock = self._write_locks.get(stream)
        if lock is None:
            lock = self._write_locks[stream] = trio.Lock()
        async with lock:
            ok = await super().write_msg(stream, rpc_msg)
        if ok and self.unwritten_since:
            self.wrote(stream.muxed_conn.peer_id)
        if ok:
            for msg in rpc_msg.publish:
                for topic in msg.topicIDs:
                    counters = self._meter.topic(topic)
                    counters.messages_out += 1
                    counters.bytes_out += len(msg.data)
        self._pulse.fire()  # a queue shrank (or died): publishers may proceed
        return ok

    def _handle_dead_peer(self, peer_id: ID) -> None:
        # unwritten_since is kept: libp2p re-registers a peer still connected on a new stream with an
        # empty queue (a yamux write stuck 5 s on a zero window ends the old one), and a peer that
        # takes nothing must not start afresh that way. The host forgets peers that left.
        super()._handle_dead_peer(peer_id)
        if self.host.get_network().get_connections(peer_id):
            # Still connected: libp2p will give it a new stream. A peer whose streams keep dying
            # (a write stuck 5 s on a zero window: it reads nothing) is dropped by the host.
            deaths = self.stream_deaths.setdefault(peer_id, [])
            now = trio.current_time()
            if not deaths or now - deaths[-1] > 1.0:  # libp2p reports one death from several tasks
                deaths.append(now)
                del deaths[:-_STREAM_DEATHS]
        self._pulse.fire()

    def _forget_all_subscriptions(self, peer_id: ID) -> None:
        # libp2p forgets a peer's subscriptions whenever it drops the peer, also when
        # only our stream to it failed and it re-registers the peer at once (a write
        # that failed, a connection closed under it while another stays). They came
        # on the peer's stream to us, once: forgotten while that stream lives, we
        # never forward the peer a message again. So, while the peer is connected,
        # each topic goes with the streams that announced it.
        if self._inbound.get(peer_id) and self._peer_is_connected(peer_id):
            # libp2p replays recent messages to a newly registered peer once per
            # topic; the re-registration must get its replay (what was published
            # while the peer was being re-registered).
            self._replayed_recent_topics.pop(peer_id, None)
            self._forget_unannounced(peer_id)
            return
        super()._forget_all_subscriptions(peer_id)

    def _forget_unannounced(self, peer_id: ID) -> None:
        """Forget ``peer_id``'s subscriptions that none of its live streams to us announced."""
        live = set().union(*self._inbound.get(peer_id, ()))
        stale = [topic for topic, peers in self.peer_topics.items() if peer_id in peers and topic not in live]
        for topic in stale:
            self._forget_subscription(peer_id, topic)
            # libp2p's router keeps a peer in a topic's mesh after it left the topic
            # (a restarted peer grafted on its previous run's subscription stayed).
            mesh = self.router.mesh.get(topic)
            if mesh is not None and peer_id in mesh:
                mesh.discard(peer_id)
                if self.router.scorer is not None:
                    self.router.scorer.on_leave_mesh(peer_id, topic)
            fanout = self.router.fanout.get(topic)
            if fanout is not None:
                fanout.discard(peer_id)

    def repair(self, peer_id: ID) -> bool:
        """Move ``peer_id`` off a pubsub stream whose connection is closed; True if it was on one.

        libp2p's ``_handle_dead_peer`` re-registers a peer that is still connected,
        on a live connection (the one left).
        """
        stream = self.peers.get(peer_id)
        conn = getattr(stream, "swarm_conn", None)
        if stream is None or conn is None or not conn.is_closed or not self.manager.is_running:
            return False
        self._handle_dead_peer(peer_id)
        return True

    def handle_subscription(self, origin_id: ID, sub_message: rpc_pb2.RPC.SubOpts) -> None:
        if sub_message.subscribe and len(sub_message.topicid) > MAX_TOPIC_BYTES:
            # Not a topic of ours, and libp2p would hold the name (up to 1 MiB) for
            # as long as the peer stays: 100 names per peer.
            self.ignored_subscriptions += 1
            return
        super().handle_subscription(origin_id, sub_message)
        announced = _ANNOUNCED.get()
        if announced is not None:  # read from a peer's stream: the topic lives with it
            if sub_message.subscribe:
                # Only what libp2p kept (it ignores a peer's topics past its cap): kept
                # regardless, a peer could pin any number of names to its stream.
                # Interned: a peer's 256 streams re-announcing its 100 names hold one
                # copy of each name, not one per stream.
                if origin_id in self.peer_topics.get(sub_message.topicid, ()):
                    announced.add(sys.intern(sub_message.topicid))
            else:
                announced.discard(sub_message.topicid)
        self._pulse.fire()

    def _is_subscribed_to_msg(self, msg: rpc_pb2.Message) -> bool:
        # libp2p asks this for each message of an RPC it reads, and starts one
        # task per message it answers yes for (push_msg). The budget gate runs
        # here, before that task: one 1 MiB RPC of tiny messages was 20 000
        # tasks, each dropped only once it ran.
        if not super()._is_subscribed_to_msg(msg):
            return False
        peer = _READING.get()
        if peer is None:
            return True
        for topic in msg.topicIDs:
            counters = self._meter.topic(topic)
            counters.messages_in += 1
            counters.bytes_in += len(msg.data)
        # The budget gate runs before anything costs us: a task, libp2p's
        # signature check, the seen-cache, our validators.
        if not self._budget.admit_message(peer, len(msg.data), self._clock()):
            self.over_budget += 1
            return False
        return True

    async def push_msg(self, msg_forwarder: ID, msg: rpc_pb2.Message) -> None:
        # Remote messages passed the budget gate in _is_subscribed_to_msg.
        if msg_forwarder == self.my_id:
            await super().push_msg(msg_forwarder, msg)
            return
        try:
            await super().push_msg(msg_forwarder, msg)
        except Exception as exc:
            # Runs as a libp2p service task: an exception here would stop the
            # whole pubsub service. A message libp2p chokes on is just dropped.
            log.warning("dropping a message from %s that libp2p failed on (%s: %s)",
                        msg_forwarder, type(exc).__name__, exc)

    def notify_subscriptions(self, publish_message: rpc_pb2.Message) -> None:
        # Same as libp2p's, but a full channel is counted rather than only logged.
        for topic in publish_message.topicIDs:
            channel = self.subscribed_topics_send.get(topic)
            if channel is None:
                continue
            try:
                channel.send_nowait(publish_message)
            except trio.WouldBlock:
                self._meter.topic(topic).drops += 1
            except trio.BrokenResourceError:
                pass  # unsubscribing: the drain task is gone


class _MeteredStream:
    """A peer's pubsub stream that charges each RPC, by its length prefix, before the body
    is read. libp2p reads an RPC as a varint length (byte by byte) and then that many
    bytes; anything else is passed through untouched."""

    def __init__(self, inner: INetStream, charge: Callable[[int], Awaitable[None]], *, cap: int) -> None:
        self._inner = inner
        self._charge = charge
        self._cap = cap  # libp2p refuses an RPC over this; a 10-byte varint claimed about 2^64
        self._prefix = bytearray()
        self._left = 0  # body bytes of the current RPC not read yet

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    async def read(self, n: int | None = None) -> bytes:
        data = await self._inner.read(n)
        view = memoryview(data)
        while view:
            if self._left:
                step = min(self._left, len(view))
                self._left -= step
                view = view[step:]
                continue
            byte = view[0]
            view = view[1:]
            self._prefix.append(byte)
            if byte & 0x80 == 0 or len(self._prefix) >= 10:
                length = _uvarint(self._prefix)
                self._prefix.clear()
                self._left = length
                # Charged at most the cap: a claimed 2^64 bytes put the reader to
                # sleep for ever (the peer's subscriptions with it) and sent the
                # budget it shares with other strangers to -1.8e19.
                await self._charge(min(length, self._cap))
        return data


def _uvarint(raw: bytes | bytearray) -> int:
    value = 0
    for shift, byte in enumerate(raw):
        value |= (byte & 0x7F) << (7 * shift)
    return value


# A peer whose pubsub stream dies this many times within send_stall_drop_s while it stays connected is
# disconnected (node/net/host.py): a yamux write stuck 5 s on a zero window ends the stream, and libp2p
# gives the peer a new one with a fresh window, so a peer that reads nothing never looks stuck 60 s.
_STREAM_DEATHS = 3

# A hold budget's burst, in send_stall_s: enough for a burst of our own publishes to a peer that reads
# a little slower (200 messages of 64 KiB to a local peer: about 1.6 s), little for one that paces us.
_HOLD_BURST = 2.0


class HoldBudget:
    """Seconds publishers may spend waiting on slow peers: ``burst`` at once, refilled at ``share``
    seconds per second (trio clock). Starts full."""

    def __init__(self, burst: float, share: float) -> None:
        self.burst = burst
        self.share = share
        self._left = burst
        self._at: float | None = None

    def _refill(self, now: float) -> None:
        if self._at is not None:
            self._left = min(self.burst, self._left + (now - self._at) * self.share)
        self._at = now

    def take_until(self, now: float) -> float:
        """The time until which a wait starting ``now`` may last (``now`` itself when spent)."""
        self._refill(now)
        return now + max(0.0, self._left)

    def spend(self, seconds: float) -> None:
        self._left -= max(0.0, seconds)


class Gossip:
    """Subscribe and publish over GossipSub; see the module docstring."""

    def __init__(self, host: IHost, config: NetConfig, meter: Meter, budget: Budget,
                 clock: Callable[[], float]) -> None:
        self._config = config
        self._meter = meter
        self._pulse = Pulse()
        self._budget = budget
        self._clock = clock
        self.router = _Router(meter=meter, pulse=self._pulse, config=config, budget=budget,
                              clock=clock)
        # Pubsub starts libp2p's seen-cache sweeper thread right here;
        # stop() must run whatever happens next.
        self.pubsub = _Pubsub(host, self.router, meter=meter, pulse=self._pulse, config=config,
                              budget=budget, clock=clock)
        self._host = host
        self._my_id = host.get_id()
        self._my_peer_id = self._my_id.to_base58()
        self._validators: dict[str, Validator] = {}
        self._origins: dict[bytes, str] = {}
        self._nursery: trio.Nursery | None = None
        # Encoded size of a publish RPC minus its data, per topic (see _rpc_size).
        self._skeleton: dict[str, int] = {}
        # What publishers may spend waiting on slow peers: each known peer its own, strangers one
        # between them (sybils must not add up), see _wait_send_room.
        self._holds: dict[ID, HoldBudget] = {}
        self._stranger_hold = HoldBudget(_HOLD_BURST * config.send_stall_s, config.send_hold_share)
        self._spent_logged = -math.inf
        self._pubkey = host.get_public_key().serialize()

    def start(self, nursery: trio.Nursery) -> None:
        """Give the adapter the nursery its drain tasks run in."""
        self._nursery = nursery

    def stop(self) -> None:
        """Stop libp2p's seen-cache sweeper thread (it never stops on its own)."""
        self.pubsub.seen_messages.stop()

    def repair(self, peer: ID) -> bool:
        """Re-register ``peer`` in pubsub if its stream sits on a closed connection.

        libp2p keeps a peer on the stream it first opened; when that connection is
        closed while another stays open, nothing moves it (node/net/host.py, dead
        connections). True if the peer was moved.
        """
        return self.pubsub.repair(peer)

    # ---------------------------------------------------------------- subscribe
    async def subscribe(self, topic: str, validator: Validator | None
                        ) -> trio.MemoryReceiveChannel[tuple[str, bytes]]:
        """Join ``topic``; see ``P2P.subscribe``."""
        if self._nursery is None:
            raise LocalError("gossip adapter not started")
        if topic in self.pubsub.topic_ids:
            raise LocalError(f"already subscribed to {topic!r}")
        send, receive = trio.open_memory_channel[tuple[str, bytes]](self._config.subscription_queue)
        if validator is not None:
            self._validators[topic] = validator
            # Registered before subscribing, so no message slips in unvalidated.
            if inspect.iscoroutinefunction(validator):
                self.pubsub.set_topic_validator(
                    topic, self._libp2p_async_validator(topic, validator),
                    is_async_validator=True)
            else:
                self.pubsub.set_topic_validator(
                    topic, self._libp2p_validator(topic, validator),  # type: ignore[arg-type]
                    is_async_validator=False)
        try:
            with translate_errors(f"subscribe {topic}"):
                subscription = await self.pubsub.subscribe(topic)
        except BaseException:
            self._forget(topic)
            raise
        self._nursery.start_soon(self._drain, topic, subscription, send)
        return receive

    def _libp2p_validator(self, topic: str, validator: Callable[[str, bytes], bool]
                          ) -> Callable[[ID, rpc_pb2.Message], bool]:
        counters = self._meter.topic(topic)

        def check(forwarder: ID, msg: rpc_pb2.Message) -> bool:
            if forwarder == self._my_id:
                return True  # our own publish: publish() validated it already
            try:
                ok = bool(validator(self._origin(msg.from_id), msg.data))
            except Exception:
                log.exception("validator for %s raised; treating the message as invalid", topic)
                ok = False
            if not ok:
                counters.rejected += 1
                self._budget.reject(forwarder.to_base58(), self._clock())
            return ok

        return check

    def _libp2p_async_validator(self, topic: str, validator: AsyncValidator
                                ) -> Callable[[ID, rpc_pb2.Message], Awaitable[bool]]:
        counters = self._meter.topic(topic)

        async def check(forwarder: ID, msg: rpc_pb2.Message) -> bool:
            if forwarder == self._my_id:
                return True  # our own publish: publish() validated it already
            peer = forwarder.to_base58()
            try:
                verdict = await validator(Inbound(peer, self._origin(msg.from_id), msg.data))
            except Exception:
                log.exception("validator for %s raised; ignoring the message", topic)
                verdict = Verdict.IGNORE
            if verdict is Verdict.ACCEPT:
                return True
            counters.rejected += 1
            if verdict is Verdict.REJECT:
                self._budget.reject(peer, self._clock())
            return False

        return check

    def _origin(self, from_id: bytes) -> str:
        origin = self._origins.get(from_id)
        if origin is None:
            if len(self._origins) >= _ORIGIN_CACHE:
                self._origins.clear()
            origin = self._origins[from_id] = ID(from_id).to_base58()
        return origin

    async def _drain(self, topic: str, subscription: ISubscriptionAPI,
                     send: trio.MemorySendChannel[tuple[str, bytes]]) -> None:
        counters = self._meter.topic(topic)
        async with send:
            while True:
                try:
                    msg = await subscription.get()
                except (trio.EndOfChannel, trio.ClosedResourceError):
                    return  # unsubscribed
                try:
                    send.send_nowait((self._origin(msg.from_id), msg.data))
                except trio.WouldBlock:
                    counters.drops += 1
                    continue
                except trio.BrokenResourceError:
                    break  # the consumer closed its end: leave the topic
                counters.deliveries += 1
        log.debug("subscriber of %s went away; unsubscribing", topic)
        self._forget(topic)
        with translate_errors(f"unsubscribe {topic}"):
            await self.pubsub.unsubscribe(topic)

    def _forget(self, topic: str) -> None:
        self._validators.pop(topic, None)
        self.pubsub.remove_topic_validator(topic)

    # ------------------------------------------------------------------ publish
    async def publish(self, topic: str, data: bytes) -> None:
        """Publish with back-pressure; see ``P2P.publish``."""
        size = self._rpc_size(topic, len(data))
        if size > self._config.max_message_bytes:
            raise MessageTooLarge(
                f"publish on {topic}: {size} bytes encoded (data {len(data)}) exceeds "
                f"the pubsub cap of {self._config.max_message_bytes}")
        validator = self._validators.get(topic)
        if validator is not None and not await self._accepts(validator, data):
            raise MessageRejected(f"publish on {topic}: our own validator rejects the data")
        await self._wait_send_room(topic)
        with translate_errors(f"publish {topic}"):
            await self.pubsub.publish(topic, data)
        self._meter.topic(topic).publishes += 1

    async def _accepts(self, validator: Validator, data: bytes) -> bool:
        me = self._my_peer_id
        if inspect.iscoroutinefunction(validator):
            return bool(await validator(Inbound(me, me, data)) is Verdict.ACCEPT)
        return bool(validator(me, data))  # type: ignore[call-arg,arg-type]

    async def _wait_send_room(self, topic: str) -> None:
        """Wait while a peer subscribed to ``topic`` that is taking its messages has no room for more.

        Back-pressure keeps libp2p from dropping our own bursts for peers that read a little slower
        than we publish. It has two bounds, since a peer decides how fast it reads:

        * a peer none of whose queued RPCs has been written for ``send_stall_s`` is not waited for
          (``_Pubsub.unwritten_since``): what does not fit its queue is dropped for it alone
          (``send_drops``) and sync repairs it. Waiting for it stalled every publish on the topic,
          for every peer, for as long as it read nothing (a validator paused 60 s under the default
          ping settings: the others committed nothing for 28 s), and for good a peer answering pings;
        * waiting draws on a hold budget (:class:`HoldBudget`): ``2 x send_stall_s`` at once,
          refilled at ``send_hold_share`` of the time; each known peer (a validator, a peer we
          dialled) has its own, and strangers share one, as they share the resource budget. Peers
          that read one message just often enough, in turn, paced every publish 15-35 times slower
          (review 36); now sybils cost at most that share between them, and a known peer its own.
          A peer whose budget is spent is not waited for until it refills.
        """
        await trio.lowlevel.checkpoint()  # whatever the queues say, a publish loop yields (review 36)
        limit = self._config.send_queue
        stall = self._config.send_stall_s
        unwritten = self.pubsub.unwritten_since
        while True:
            now = trio.current_time()
            queues = self.pubsub.peer_queues
            wait_until = math.inf
            holding: dict[int, HoldBudget] = {}
            for p in self.pubsub.peer_topics.get(topic, ()):
                q = queues.get(p)
                if q is None:
                    continue
                n = len(q)
                if n == 0:
                    continue
                since = unwritten.setdefault(p, now)
                if n < limit:
                    continue
                if now - since >= stall:
                    self._note_stall(p, n, now - since)
                    continue
                hold = self._hold_of(p)
                until = hold.take_until(now)
                if until <= now:
                    self._note_spent(p)
                    continue
                holding[id(hold)] = hold
                wait_until = min(wait_until, since + stall, until)
            if not holding:
                return
            with trio.move_on_at(wait_until):
                await self._pulse.wait()
            waited = trio.current_time() - now
            for hold in holding.values():
                hold.spend(waited)

    def _hold_of(self, peer: ID) -> HoldBudget:
        """A known peer's own hold budget; strangers share one, as they share the resource budget."""
        if not self._budget.is_known(peer.to_base58()):
            return self._stranger_hold
        hold = self._holds.get(peer)
        if hold is None:  # at most Budget.params.max_known of them: only known peers get one
            hold = self._holds[peer] = HoldBudget(_HOLD_BURST * self._config.send_stall_s, self._config.send_hold_share)
        return hold

    def _note_stall(self, peer: ID, queued: int, for_s: float) -> None:
        if peer in self.pubsub.stalled:
            return
        self.pubsub.stalled.add(peer)
        self.pubsub.send_stalls += 1
        log.info("peer %s has taken none of its %d queued gossip RPCs for %.1f s: not waited for",
                 peer, queued, for_s)

    def _note_spent(self, peer: ID) -> None:
        now = trio.current_time()
        if now - self._spent_logged >= 60.0:
            self._spent_logged = now
            who = "known peer " + str(peer) if self._budget.is_known(peer.to_base58()) else "strangers"
            log.info("gossip back-pressure budget of %s spent: publishing without waiting for them", who)

    def _rpc_size(self, topic: str, data_len: int) -> int:
        # What libp2p will put on the wire: RPC{publish: [Message{from, data,
        # seqno(8), topic, signature(64), key}], senderRecord}. Computed from a
        # data-less skeleton so a 1 MiB payload is never copied just to measure it.
        skeleton = self._skeleton.get(topic)
        if skeleton is None:
            skeleton = self._skeleton[topic] = rpc_pb2.Message(
                from_id=self._my_id.to_bytes(), seqno=bytes(8), topicIDs=[topic],
                signature=bytes(64), key=self._pubkey).ByteSize()
        msg_size = skeleton + 1 + _varint_len(data_len) + data_len
        envelope, _ = env_to_send_in_RPC(self._host)
        record = 1 + _varint_len(len(envelope)) + len(envelope)
        return 1 + _varint_len(msg_size) + msg_size + record

    # -------------------------------------------------------------------- state
    async def wait_mesh_peers(self, topic: str, count: int) -> None:
        """Return once our mesh for ``topic`` holds at least ``count`` peers."""
        while len(self.router.mesh.get(topic, ())) < count:
            await self._pulse.wait()

    def mesh_peers(self, topic: str) -> list[str]:
        """Peer ids in our mesh for ``topic``."""
        return sorted(p.to_base58() for p in self.router.mesh.get(topic, ()))


def _varint_len(n: int) -> int:
    return max(1, (n.bit_length() + 6) // 7)
