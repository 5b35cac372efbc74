"""The promises a simulation checks once the network has settled.

Everything is read from the honest nodes' own stores, opened after their
daemons stopped (a store is locked while its daemon runs), plus what the
runner saw: which CIDs each ``ingest`` acknowledged, how each process exited,
and the rogue processes' logs of what they injected.

Checks (each a :class:`Check`; the run fails if any is not ``ok``):

* ``no-fork``: no node holds two committed blocks for one slot, and no two
  nodes committed different blocks for one slot;
* ``agreement``: every honest node that is up at the end holds the same set
  of committed blocks;
* ``no-loss``: every record a node acknowledged is still in that node's store;
* ``certificates``: every committed block on every node has a certificate
  that decodes, names that block and slot, and verifies against the genesis
  validators; the block's header signature and payload CID check out too;
* ``evidence``: every equivocation a rogue injected is on file, as verified
  evidence of the right kind against the right offender and slot, on at least
  one honest node (``coverage`` says on how many);
* ``no-false-evidence``: no evidence accuses an honest node;
* ``no-crash``: no honest daemon exited unless the scenario killed it, and
  every daemon running at the end stopped cleanly (exit 0 on SIGTERM);
* ``faults-injected``: every scripted fault was carried out, and every rogue
  got ready and did something (a run whose faults never happened proves
  nothing);
* ``progress``: the honest nodes committed something.

Asked for by a scenario's ``checks`` list (read from the runner's samples):

* ``commit-rate-under-attack``: records committed per second while rogues
  are active are at least 80% of the rate in a baseline window of the same
  length just before the first one started (after a warm-up);
* ``byzantine-actions``: every action a byzantine proposer lists (junk, lie,
  equivocate) was injected at least once;
* ``status-latency``: every ``status`` call answered within 1 s.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.store import BlockRow, EvidenceRow, Store
from protocol.block import decode_signed_header
from protocol.cid import cid_matches
from protocol.errors import AttnshareError
from protocol.genesis import Genesis
from protocol.quorum import decode_certificate, decode_evidence, verify_certificate


@dataclass(frozen=True)
class Check:
    """One invariant's verdict; ``detail`` says what was checked or what broke."""

    name: str
    ok: bool
    detail: str


@dataclass
class NodeView:
    """What one honest node's store says, read once after its daemon stopped."""

    index: int
    peer_id: str
    up_at_end: bool
    committed: list[BlockRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    acked: int = 0
    missing_acked: list[str] = field(default_factory=list)

    @property
    def committed_ids(self) -> set[str]:
        return {b.block_id for b in self.committed}


@dataclass(frozen=True)
class ProcessFacts:
    """How one honest daemon's processes went."""

    index: int
    started: bool
    expected_down: bool
    unexpected_exits: tuple[str, ...]
    exit_code: int | None  # at the final SIGTERM; None if it was not running then


def read_view(index: int, data_dir: Path, peer_id: str, acked: Sequence[str], up_at_end: bool) -> NodeView:
    """Open a stopped node's store and read what the checks need."""
    store = Store.open(data_dir / "store.sqlite", peer_id)
    try:
        view = NodeView(index, peer_id, up_at_end, acked=len(acked))
        # The listing carries sizes only (review 7, finding 6); the checks read each block whole.
        view.committed = [b for s in store.list_blocks(status="committed", limit=100_000)
                          if (b := store.get_block(s.block_id)) is not None]
        view.evidence = store.list_evidence(limit=100_000)
        view.missing_acked = [cid for cid in acked if store.get_record(cid) is None]
    finally:
        store.close()
    return view


# ---------------------------------------------------------------------- the checks
def check_no_fork(views: Sequence[NodeView]) -> Check:
    local = []
    network: dict[tuple[str, int], set[str]] = defaultdict(set)
    for v in views:
        slots: dict[tuple[str, int], set[str]] = defaultdict(set)
        for b in v.committed:
            slots[(b.proposer, b.seq)].add(b.block_id)
            network[(b.proposer, b.seq)].add(b.block_id)
        local += [f"node{v.index} slot {p[-8:]}/{s}: {sorted(ids)}" for (p, s), ids in slots.items() if len(ids) > 1]
    across = [f"slot {p[-8:]}/{s}: {sorted(ids)}" for (p, s), ids in network.items() if len(ids) > 1]
    if local or across:
        return Check("no-fork", False, "; ".join((local + across)[:5]))
    return Check("no-fork", True, f"{len(network)} committed slots, one block each, on {len(views)} nodes")


def check_agreement(views: Sequence[NodeView]) -> Check:
    up = [v for v in views if v.up_at_end]
    if not up:
        return Check("agreement", False, "no honest node was up at the end")
    union = set().union(*(v.committed_ids for v in up))
    gaps = [f"node{v.index} lacks {len(union - v.committed_ids)}" for v in up if v.committed_ids != union]
    if gaps:
        return Check("agreement", False, f"{len(union)} blocks committed somewhere; " + ", ".join(gaps))
    return Check("agreement", True, f"{len(up)} honest nodes hold the same {len(union)} committed blocks")


def check_no_loss(views: Sequence[NodeView]) -> Check:
    lost = [(v.index, len(v.missing_acked), v.missing_acked[:2]) for v in views if v.missing_acked]
    total = sum(v.acked for v in views)
    if lost:
        return Check("no-loss", False, "; ".join(f"node{i} lost {n} acked records, e.g. {ex}" for i, n, ex in lost))
    return Check("no-loss", True, f"all {total} acknowledged records are in their nodes' stores")


def check_certificates(views: Sequence[NodeView], genesis: Genesis) -> Check:
    bad: list[str] = []
    verified: set[tuple[str, bytes]] = set()
    n_blocks = 0
    for v in views:
        for b in v.committed:
            n_blocks += 1
            problem = _certificate_problem(b, genesis, verified)
            if problem:
                bad.append(f"node{v.index} block {b.block_id[-10:]}: {problem}")
    if bad:
        return Check("certificates", False, f"{len(bad)} bad; " + "; ".join(bad[:5]))
    return Check("certificates", True, f"{n_blocks} committed block copies, {len(verified)} distinct "
                                       f"certificates verified against {genesis.validators.n} validators")


def _certificate_problem(b: BlockRow, genesis: Genesis, verified: set[tuple[str, bytes]]) -> str | None:
    if b.cert is None:
        return "committed without a certificate"
    if (b.block_id, b.cert) in verified:
        return None
    try:
        cert = decode_certificate(b.cert)
        if cert.block_id != b.block_id or (cert.proposer, cert.seq) != (b.proposer, b.seq):
            return "certificate names another block or slot"
        verify_certificate(cert, genesis.validators, genesis.id)
        sh = decode_signed_header(b.header)
        sh.verify(genesis.id)
        if sh.header.block_id != b.block_id:
            return "stored header hashes to another block id"
        if b.payload is not None and not cid_matches(sh.header.payload_cid, b.payload):
            return "payload does not match its CID"
    except AttnshareError as exc:
        return f"{type(exc).__name__}: {exc}"
    verified.add((b.block_id, b.cert))
    return None


def check_evidence(views: Sequence[NodeView], injected: Sequence[dict[str, Any]], genesis: Genesis) -> Check:
    cut = sum(1 for e in injected if e.get("cut_short"))
    injected = [e for e in injected if not e.get("cut_short")]
    note = f"; {cut} cut short by the rogue's stop before both messages went out" if cut else ""
    if not injected:
        return Check("evidence", True, "no equivocation injected" + note)
    on_file: dict[tuple[str, str, str, int], int] = defaultdict(int)
    unverifiable = 0
    for v in views:
        for e in v.evidence:
            try:
                ev = decode_evidence(e.body)
                ev.verify(genesis.validators, genesis.id)
            except AttnshareError:
                unverifiable += 1
                continue
            on_file[(ev.kind, ev.offender, ev.slot[0], ev.slot[1])] += 1
    missing = []
    coverage = []
    for inj in injected:
        key = (inj["kind"], inj["offender"], inj["slot"][0], int(inj["slot"][1]))
        if on_file.get(key, 0) == 0:
            missing.append(f"{inj['kind']} by {inj['offender'][-8:]} in slot {inj['slot'][0][-8:]}/{inj['slot'][1]}")
        coverage.append(on_file.get(key, 0) / max(1, len(views)))
    mean_cov = sum(coverage) / len(coverage)
    if missing or unverifiable:
        return Check("evidence", False, f"{len(missing)} of {len(injected)} injected equivocations without evidence"
                     f" ({'; '.join(missing[:3])}); {unverifiable} evidence rows fail to verify{note}")
    return Check("evidence", True, f"all {len(injected)} injected equivocations on file and verified; "
                                   f"mean coverage {mean_cov:.0%} of honest nodes{note}")


def check_no_false_evidence(views: Sequence[NodeView], honest: Iterable[str]) -> Check:
    honest = set(honest)
    false = [f"node{v.index} accuses {e.offender[-8:]} ({e.kind})" for v in views for e in v.evidence
             if e.offender in honest]
    if false:
        return Check("no-false-evidence", False, "; ".join(false[:5]))
    return Check("no-false-evidence", True, "no evidence against an honest node")


def check_no_crash(procs: Sequence[ProcessFacts]) -> Check:
    bad = []
    for p in procs:
        bad += [f"node{p.index}: {e}" for e in p.unexpected_exits]
        if p.started and not p.expected_down and p.exit_code not in (0, None):
            bad.append(f"node{p.index} exited {p.exit_code} on SIGTERM")
        if p.started and not p.expected_down and p.exit_code is None:
            bad.append(f"node{p.index} was not running at the end")
    if bad:
        return Check("no-crash", False, "; ".join(bad[:5]))
    n = sum(1 for p in procs if p.started)
    return Check("no-crash", True, f"{n} honest daemons: no unexpected exit, clean shutdown")


def check_faults_injected(applied: Sequence[Any], rogue_events: dict[str, list[dict[str, Any]]]) -> Check:
    bad = [f"{a.label}: {a.detail}" for a in applied if not a.ok]
    for name, events in rogue_events.items():
        kinds = {e["event"] for e in events}
        if "ready" not in kinds:
            bad.append(f"{name} never got ready")
        elif name.endswith("flood"):
            sent = sum(e.get("sent", 0) for e in events if e["event"] == "flood-end")
            if not sent:
                bad.append(f"{name} sent nothing")
        elif "inject" not in kinds:
            bad.append(f"{name} injected nothing")
    if bad:
        return Check("faults-injected", False, "; ".join(bad[:5]))
    return Check("faults-injected", True, f"{len(applied)} faults carried out, {len(rogue_events)} rogue(s) active")


def check_progress(views: Sequence[NodeView], expect_commits: bool) -> Check:
    most = max((len(v.committed) for v in views), default=0)
    if expect_commits and most == 0:
        return Check("progress", False, "no block committed on any honest node")
    return Check("progress", True, f"up to {most} committed blocks per honest node")


def injected_equivocations(rogue_events: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every equivocation a rogue says it injected (events carrying an evidence ``kind``)."""
    return [e for events in rogue_events.values() for e in events if e["event"] == "inject" and "kind" in e]


def sent_equivocations(rogue_events: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """:func:`injected_equivocations` of process rogues, each not followed by a ``sent`` event (same
    slot and block ids) marked ``cut_short``: the runner stops a rogue with SIGTERM, which can land
    between logging an injection and sending its second message, and no honest node can hold
    evidence of a message never sent. :func:`check_evidence` owes no evidence for those."""
    sent = {(tuple(e["slot"]), tuple(e["block_ids"])) for events in rogue_events.values() for e in events
            if e["event"] == "sent"}
    return [e if (tuple(e["slot"]), tuple(e["block_ids"])) in sent else {**e, "cut_short": True}
            for e in injected_equivocations(rogue_events)]


COMMIT_RATE_FLOOR = 0.8
STATUS_LIMIT_MS = 1000.0
#: Load before this is start-up (daemons load the model, meshes form, the first windows fill): never a baseline.
WARMUP_S = 5.0
#: The shortest attack window (and so baseline) the commit-rate check accepts: commits come in blocks,
#: so shorter windows measure block timing, not throughput.
MIN_WINDOW_S = 10.0


def _honest_records(views: Sequence[NodeView], from_ms: int, to_ms: int) -> int:
    """Records in blocks of honest proposers committed in [from_ms, to_ms), on the honest node that has most.

    Blocks a byzantine proposer got committed do not count: the attack's own blocks must not pass
    for honest throughput.
    """
    honest = {v.peer_id for v in views}
    return max((sum(b.record_count for b in v.committed
                    if b.proposer in honest and b.committed_ms is not None and from_ms <= b.committed_ms < to_ms)
                for v in views), default=0)


def check_commit_rate_under_attack(views: Sequence[NodeView], t0_ms: int, attack_start_s: float,
                                   attack_end_s: float) -> Check:
    """Honest commits per second while rogues run, against a no-attack baseline of the same length.

    The baseline is the window just before the first rogue starts, as long as the attack window and
    after :data:`WARMUP_S` of load: same nodes, same load, same host, only the attack differs. (A
    baseline shorter than the attack, or one that includes start-up, makes the ratio meaningless:
    start-up is slow, so the attack would look free.) Counted from the honest nodes' stores (commit
    times, in ms since ``t0_ms``, the start of the load), records of honest proposers only.
    """
    length = attack_end_s - attack_start_s
    base_start = attack_start_s - length
    if length < MIN_WINDOW_S or base_start < WARMUP_S:
        return Check("commit-rate-under-attack", False,
                     f"needs an attack window of at least {MIN_WINDOW_S:.0f} s and a baseline as long after "
                     f"{WARMUP_S:.0f} s of warm-up: the first rogue must start at or after "
                     f"{max(WARMUP_S + MIN_WINDOW_S, (WARMUP_S + attack_end_s) / 2):.0f} s "
                     f"(starts at {attack_start_s:g} s, load ends at {attack_end_s:g} s)")
    ms = [t0_ms + int(t * 1000) for t in (base_start, attack_start_s, attack_end_s)]
    before = _honest_records(views, ms[0], ms[1]) / length
    during = _honest_records(views, ms[1], ms[2]) / length
    windows = f"baseline {base_start:g}-{attack_start_s:g} s, attack {attack_start_s:g}-{attack_end_s:g} s"
    ok = before > 0 and during >= COMMIT_RATE_FLOOR * before
    return Check("commit-rate-under-attack", ok,
                 f"{during:.1f} honest records/s under attack vs {before:.1f} without ({during / before:.0%}; floor "
                 f"{COMMIT_RATE_FLOOR:.0%}; {windows})" if before > 0
                 else f"nothing committed in the baseline ({windows})")


def check_byzantine_actions(sc: Any, rogue_events: dict[str, list[dict[str, Any]]]) -> Check:
    """Every action a byzantine-proposer fault lists was injected at least once.

    ``faults-injected`` only asks that a rogue did *something*; a scenario that means to test lies and
    equivocation must show that they reached the network, or it proves nothing about them.
    """
    missing, seen = [], 0
    for f in sc.faults:
        if f.kind != "byzantine-proposer":
            continue
        events = rogue_events.get(f"node{f.node}-proposer", [])
        done = {e.get("action") for e in events if e["event"] == "inject"}
        seen += len(done)
        missing += [f"node{f.node} never injected {a!r}" for a in f.actions if a not in done]
    if not any(f.kind == "byzantine-proposer" for f in sc.faults):
        return Check("byzantine-actions", False, "the scenario has no byzantine proposer")
    if missing:
        return Check("byzantine-actions", False, "; ".join(missing[:5]))
    return Check("byzantine-actions", True, f"every listed action injected ({seen} distinct in all)")


def check_status_latency(samples: Sequence[dict[str, Any]]) -> Check:
    worst = 0.0
    where = ""
    calls = 0
    for s in samples:
        for k, st in s["nodes"].items():
            ms = (st or {}).get("status_ms")
            if ms is None:
                continue
            calls += 1
            if ms > worst:
                worst, where = ms, f"node{k} at t={s['t']}s"
    if not calls:
        return Check("status-latency", False, "no status call was timed")
    ok = worst <= STATUS_LIMIT_MS
    return Check("status-latency", ok, f"slowest of {calls} status calls: {worst:.0f} ms ({where}); limit "
                                       f"{STATUS_LIMIT_MS:.0f} ms")


def extra_checks(sc: Any, samples: Sequence[dict[str, Any]], views: Sequence[NodeView], t0_ms: int,
                 rogue_events: dict[str, list[dict[str, Any]]]) -> list[Check]:
    """The checks ``sc.checks`` asks for (see :data:`node.sim.scenario.EXTRA_CHECKS`)."""
    out = []
    rogue_at = [f.at_s for f in sc.faults if f.kind in ("byzantine-proposer", "byzantine-voter", "flood")]
    for name in sc.checks:
        if name == "commit-rate-under-attack":
            if not rogue_at:
                out.append(Check(name, False, "the scenario has no rogue to measure against"))
            else:
                out.append(check_commit_rate_under_attack(views, t0_ms, min(rogue_at), sc.workload.duration_s))
        elif name == "status-latency":
            out.append(check_status_latency(samples))
        elif name == "byzantine-actions":
            out.append(check_byzantine_actions(sc, rogue_events or {}))
    return out


def check_all(sc: Any, views: Sequence[NodeView], genesis: Genesis, *, honest_ids: Sequence[str],
              procs: Sequence[ProcessFacts], applied: Sequence[Any], injected: Sequence[dict[str, Any]],
              rogue_events: dict[str, list[dict[str, Any]]], samples: Sequence[dict[str, Any]],
              t0_ms: int) -> list[Check]:
    """Every invariant of a run, in report order: both engines call this, so they judge alike."""
    return [
        check_no_fork(views),
        check_agreement(views),
        check_no_loss(views),
        check_certificates(views, genesis),
        check_evidence(views, injected, genesis),
        check_no_false_evidence(views, honest_ids),
        check_no_crash(procs),
        check_faults_injected(applied, rogue_events),
        check_progress(views, sc.workload.rate > 0 and bool(sc.fed_nodes)),
        *extra_checks(sc, samples, views, t0_ms, rogue_events),
    ]
