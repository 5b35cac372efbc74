"""Benchmark: the honest commit rate of 4 validators with and without network attacks.

One 4-node cluster (real libp2p on 127.0.0.1, one process) is fed a steady
workload. The honest rate is measured for ``--seconds`` without an attack, then
for the same time under each attack in turn, from a raw libp2p peer with a
fresh identity:

- ``junk``: malformed vote batches, as fast as the rogue can publish;
- ``forged``: well-formed block announces naming validators, with zero
  signatures (finding 2);
- ``streams``: 80 silent sync streams to one node, renewed as they are cut
  (finding 11);
- ``sybils``: 20 fresh identities dial one node (from 127.0.0.1, one /24) and
  each holds 4 silent sync streams, renewed (the strangers' pool and the
  inbound caps);
- ``syn``: 2000 yamux SYN headers a second to one node (12 bytes each, no
  protocol ever named);
- ``control``: IHAVE RPCs of 5000 unseen ids naming a new topic each, and
  GRAFTs for random topics, to one node (control messages spent no budget).

For each phase it prints committed records/s, the ratio to the baseline, and
the worst ``status()`` time on any node, and writes JSON. The issue's target
is a ratio of at least 0.8 and status under 1 s. This machine is shared and
noisy, so compare the phases of one run only.

Usage: python scripts/bench_attack_net.py [--seconds 20] [--rate 120] [--phases junk,forged,...]
       [--out bench_attack_net.json]
       python scripts/bench_attack_net.py --presig [--reps 20]   (pre-signature cost per message)
       python scripts/bench_attack_net.py --churn 4:300 [--seconds 10]   (honest dials under handshake churn)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import struct
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import trio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from libp2p.custom_types import TProtocol  # noqa: E402
from libp2p.peer.id import ID  # noqa: E402

from node.core.syncsvc import SYNC_PROTOCOL  # noqa: E402
from node.net.topics import encode_block_announce  # noqa: E402
from node.sim.cluster import open_cluster, open_rogue, workload_json  # noqa: E402
from protocol.block import Block, SignedHeader, build_block, decode_block  # noqa: E402
from protocol.record import Record  # noqa: E402

#: The rogue runs in this same process: flat out, it would take the nodes' CPU
#: and measure that instead. 200 messages/s is far above any honest peer's rate.
ATTACK_PAUSE_S = 0.005


def _forged(c: Any, key: Any, seq: int) -> bytes:
    recs = [Record.create("alert", key.peer_id, 1_700_000_000_000 + i, {"v": float(i)}) for i in range(3)]
    good = build_block(key, genesis_id=c.genesis.id, network=c.genesis.network_id, seq=seq, prev=None,
                       created_ms=1_700_000_000_000 + seq, model_id=c.nodes[0].model_id, records=recs,
                       scores=[0.9] * 3)
    return encode_block_announce(Block(SignedHeader(good.signed.header, bytes(64)), good.payload), 0)


async def _attack(kind: str, c: Any, rogue: Any) -> None:
    if kind == "junk":
        i = 0
        while True:
            i += 1
            await rogue.publish(c.nodes[0].topics.votes, b"\x91" + i.to_bytes(4, "big") * 10)
            await trio.sleep(ATTACK_PAUSE_S)
    elif kind == "forged":
        msgs = [_forged(c, c.nodes[1 + s % 3].key, s) for s in range(1, 600)]
        i = 0
        while True:
            await rogue.publish(c.nodes[0].topics.blocks, msgs[i % len(msgs)])
            i += 1
            await trio.sleep(ATTACK_PAUSE_S)
    elif kind == "streams":
        target = ID.from_base58(c.nodes[0].me)
        while True:
            for _ in range(80):
                try:
                    await rogue._host.new_stream(target, [TProtocol(SYNC_PROTOCOL)])
                except Exception:
                    break
            await trio.sleep(1.0)
    elif kind == "syn":
        raw = rogue._swarm.connections[ID.from_base58(c.nodes[0].me)][0].muxed_conn.secured_conn
        sid = 1_000_001
        while True:  # 200 SYNs every 0.1 s; the write blocks while the node holds them unread
            frames = b"".join(struct.pack("!BBHII", 0, 1, 1, sid + 2 * i, 0) for i in range(200))
            sid += 400
            await raw.write(frames)
            await trio.sleep(0.1)
    elif kind == "control":
        from libp2p.pubsub.gossipsub import PROTOCOL_ID_V11
        from libp2p.pubsub.pb import rpc_pb2
        from libp2p.utils.varint import encode_uvarint

        stream = await rogue._host.new_stream(ID.from_base58(c.nodes[0].me), [PROTOCOL_ID_V11])
        # Built once: the rogue shares this process, and making 5000 ids per RPC
        # would measure its own CPU. The ids are unseen by the node all the same.
        ids = [os.urandom(32).hex().encode() for _ in range(5000)]
        payloads = []
        for i in range(50):
            ctl = rpc_pb2.ControlMessage(ihave=[rpc_pb2.ControlIHave(topicID=f"junk-{i}", messageIDs=ids)],
                                         graft=[rpc_pb2.ControlGraft(topicID=f"junk-{i}-{j}") for j in range(100)])
            data = rpc_pb2.RPC(control=ctl).SerializeToString()
            payloads.append(encode_uvarint(len(data)) + data)
        i = 0
        while True:
            await stream.write(payloads[i % len(payloads)])
            i += 1
            await trio.sleep(ATTACK_PAUSE_S)


async def _sybils(c: Any) -> None:
    """20 fresh identities, each holding 4 silent sync streams to node 0, renewed."""
    from node.net import NetConfig, NetError, open_p2p

    target = c.nodes[0]

    async def hold(sybil: Any) -> None:
        while True:
            for _ in range(4):
                try:
                    await sybil._host.new_stream(ID.from_base58(target.me), [TProtocol(SYNC_PROTOCOL)])
                except Exception:
                    break
            await trio.sleep(1.0)

    async with AsyncExitStack() as stack:
        admitted = []
        for _ in range(20):
            sybil = await stack.enter_async_context(open_p2p(os.urandom(32), NetConfig()))
            try:
                await sybil.connect(target.p2p.addrs()[0])
            except NetError:
                continue  # refused: too many strangers from this /24
            admitted.append(sybil)
        async with trio.open_nursery() as nursery:  # inside the stack: closed before the sybils
            for sybil in admitted:
                nursery.start_soon(hold, sybil)


async def _phase(c: Any, kind: str | None, seconds: float, rate: float, seed: int) -> dict[str, Any]:
    if kind is None or kind == "sybils":
        return await _measure(c, kind, None, seconds, rate, seed)
    async with open_rogue(c, seed=bytes([seed % 250 + 1]) * 32) as rogue:
        return await _measure(c, kind, rogue, seconds, rate, seed)


async def _measure(c: Any, kind: str | None, rogue: Any, seconds: float, rate: float,
                   seed: int) -> dict[str, Any]:
    base = sum(n.consensus.stats_committed_records for n in c.nodes)
    worst_status = 0.0
    async with trio.open_nursery() as nursery:
        if kind == "sybils":
            nursery.start_soon(_sybils, c)
        elif kind is not None:
            nursery.start_soon(_attack, kind, c, rogue)
        t0 = time.monotonic()
        k = 0
        while time.monotonic() - t0 < seconds:
            node = c.nodes[k % len(c.nodes)]
            await node.ingest(workload_json(int(rate / 4), seed=seed * 1000 + k, now_ms=int(time.time() * 1000)))
            k += 1
            for n in c.nodes:
                s0 = time.monotonic()
                n.status()
                worst_status = max(worst_status, time.monotonic() - s0)
            await trio.sleep(0.25)
        elapsed = time.monotonic() - t0
        nursery.cancel_scope.cancel()
    committed = sum(n.consensus.stats_committed_records for n in c.nodes) - base
    banned = {n.me[-6:]: len(n.p2p.blocked_peers()) for n in c.nodes}
    p2p = c.nodes[0].p2p
    inbound = p2p.inbound_stats()
    node0 = {"inbound": dataclasses.asdict(inbound) if inbound else None,
             "strangers_pool": p2p.budget.pool_view(trio.current_time()).__repr__(),
             "wire_waits": p2p.budget.wire_waits, "ihave_ignored": p2p._gossip.router.ihave_ignored}
    return {"phase": kind or "baseline", "records_per_s": committed / len(c.nodes) / elapsed,
            "worst_status_s": worst_status, "bans": banned, "node0": node0}


async def main_async(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as d:
        # Every record ships (as in bench_node --ship-all): many commits, so the
        # rates are measured on the consensus path rather than the model's selectivity.
        genesis_kw = {"ship_share": 1.0, "min_block_importance": 0.0}
        async with open_cluster(Path(d), genesis_kw=genesis_kw) as c:
            await trio.sleep(2)
            for i, kind in enumerate([None, *args.phases.split(",")]):
                rows.append(await _phase(c, kind, args.seconds, args.rate, 10 + i))
    base = rows[0]["records_per_s"] or 1.0
    for r in rows:
        r["ratio"] = r["records_per_s"] / base
    return rows


# ---------------------------------------------------------------- pre-signature costs


def _presig_rows(reps: int) -> list[dict[str, Any]]:
    """CPU and peak memory of every inbound message kind up to its first signature check,
    for the worst input each decoder accepts (largest sizes and counts, a forged signature
    so the check fails), measured by running our own validators and decoders offline."""
    import base64
    import random
    import tracemalloc

    from libp2p.pubsub.pb import rpc_pb2

    from node.admin.wire import check_hello, hello_line, parse_request
    from node.net.topics import Validators
    from protocol import catchup as cu
    from protocol import sync as msg
    from protocol.block import BlockLimits
    from protocol.certified import verify_certified
    from protocol.cid import cid_of
    from protocol.errors import AttnshareError
    from protocol.genesis import Genesis
    from protocol.keys import PrivateKey
    from protocol.quorum import Certificate
    from protocol.validators import ValidatorSet
    from protocol.vote import (
        MAX_BATCH_VOTES,
        Decision,
        Reason,
        SignedVote,
        Vote,
        VoteBatch,
        sign_vote,
    )

    rng = random.Random(7)
    keys = [PrivateKey(rng.randbytes(32)) for _ in range(31)]
    model = cid_of(b"model")
    g = Genesis(network_id="bench", validators=ValidatorSet([k.peer_id for k in keys]),
                accepted_model_ids=(model,))
    limits = BlockLimits()

    def big_block(key: Any, seq: int, payload_target: int, forged: bool) -> Block:
        recs, size = [], 0
        i = 0
        while size < payload_target * 1.2:  # base64 of random bytes compresses to ~3/4
            text = base64.b64encode(rng.randbytes(3000)).decode()
            recs.append(Record.create("telemetry", key.peer_id, 1_700_000_000_000 + i,
                                      {"a": text, "b": text[::-1]}))
            size += 2 * len(text)
            i += 1
        while True:
            b = build_block(key, genesis_id=g.id, network=g.network_id, seq=seq, prev=None,
                            created_ms=1_700_000_000_000, model_id=model, records=recs,
                            scores=[0.9] * len(recs))
            if b.payload is None or len(b.payload) <= payload_target:
                break
            recs = recs[: int(len(recs) * 0.95)]
        return Block(SignedHeader(b.signed.header, bytes(64)), b.payload) if forged else b

    def votes(n: int, forged_at: int | None, salt: int = 0) -> list[SignedVote]:
        out = []
        for i in range(n):
            key = keys[i % len(keys)]
            v = Vote(cid_of(b"slot%d" % salt), keys[(i // len(keys)) % len(keys)].peer_id, 1 + i, key.peer_id,
                     Decision.ACCEPT, Reason.OK)
            sv = sign_vote(v, key, g.id)
            out.append(SignedVote(sv.vote, bytes(64)) if i == forged_at else sv)
        return out

    def measure(label: str, size: int, sigs: str, fn: Any) -> dict[str, Any]:
        def once() -> None:
            with contextlib.suppress(AttnshareError):
                fn()
        once()  # warm caches (and raise anything unexpected)
        t = time.process_time()
        for _ in range(reps):
            once()
        cpu_ms = (time.process_time() - t) / reps * 1000
        tracemalloc.start()
        once()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"message": label, "bytes": size, "cpu_ms": cpu_ms, "peak_kib": peak / 1024,
                "signatures": sigs}

    def validators() -> Validators:
        return Validators(g.network_id, g.validators, limits, genesis_id=g.id)

    rows = []
    gossip_block = encode_block_announce(big_block(keys[0], 1, limits.gossip_payload_max - 4096, True), 0)
    rows.append(measure("gossip block announce, payload at the gossip cap, forged signature",
                        len(gossip_block), "1 (fails)", lambda: validators()._check_block(gossip_block)))
    first_bad = VoteBatch(tuple(votes(MAX_BATCH_VOTES, 0))).encode()
    rows.append(measure("gossip vote batch, 256 votes, the first forged", len(first_bad), "1 (fails)",
                        lambda: validators()._check_votes(first_bad)))
    # Genuine signatures are remembered process-wide once verified (protocol/vote.py):
    # every run gets batches of its own, never verified before.
    fresh_batches = iter([VoteBatch(tuple(votes(MAX_BATCH_VOTES, MAX_BATCH_VOTES - 1, salt=r))).encode()
                          for r in range(reps + 2)])
    last_bad = VoteBatch(tuple(votes(MAX_BATCH_VOTES, MAX_BATCH_VOTES - 1, salt=-1))).encode()
    rows.append(measure("gossip vote batch, 256 votes, 255 genuine never verified and the last forged",
                        len(last_bad), "256 (the last fails)",
                        lambda: validators()._check_votes(next(fresh_batches))))
    cv = votes(len(keys), len(keys) - 1)
    cv = [SignedVote(Vote(cv[0].vote.block_id, keys[0].peer_id, 5, sv.vote.voter, Decision.ACCEPT, Reason.OK),
                     sv.signature) for sv in cv]
    cert = Certificate(cv[0].vote.block_id, keys[0].peer_id, 5, tuple(cv)).encode()
    rows.append(measure(f"gossip certificate, n = {len(keys)} votes, all forged", len(cert), "1 (fails)",
                        lambda: validators()._check_cert(cert)))
    rpc = rpc_pb2.RPC(publish=[rpc_pb2.Message(data=i.to_bytes(4, "big"), topicIDs=["t"],
                                               seqno=i.to_bytes(8, "big")) for i in range(40_000)])
    rpc_bytes = rpc_pb2.RPC(publish=list(rpc.publish)[: int(40_000 * (1 << 20) / len(rpc.SerializeToString()))]
                            ).SerializeToString()
    rows.append(measure(f"pubsub RPC at the 1 MiB cap ({len(rpc_pb2.RPC.FromString(rpc_bytes).publish)} tiny "
                        "messages), protobuf parse", len(rpc_bytes), "none yet",
                        lambda: rpc_pb2.RPC.FromString(rpc_bytes)))
    req = msg.encode_request(msg.GetBlocks(keys[0].peer_id, 1, 256))
    rows.append(measure("sync request (GetBlocks)", len(req), "none", lambda: msg.decode_request(req)))
    heads = msg.encode_response(msg.HeadsResp(tuple(
        (k.peer_id, 10**9, cid_of(k.peer_id.encode()), 10**9) for k in keys)))
    ours = {k.peer_id: (100, 99) for k in keys}

    def plan_heads() -> None:
        planner = cu.CatchupPlanner(cu.SyncParams(), frozenset(k.peer_id for k in keys), random.Random(1), 0)
        planner.handle(cu.Peers(("p",)), 0)
        planner.tick(planner.next_wake_ms())
        planner.handle(cu.HeadsGot("p", msg.decode_response(heads).heads, ours), planner.next_wake_ms())

    rows.append(measure(f"sync Heads answer, {len(keys)} heads (one per proposer), planned",
                        len(heads), "none", plan_heads))
    synced = [big_block(keys[i], 1, 6 << 20, i == 1) for i in range(2)]
    sync_cert = Certificate(synced[1].block_id, keys[1].peer_id, 1, tuple(votes(len(keys), None)[:21])).encode()
    blocks_resp = msg.encode_response(msg.BlocksResp(tuple((b.encode(), sync_cert) for b in synced[1:])))

    def sync_blocks() -> None:
        resp = msg.decode_response(blocks_resp)
        for block_bytes, cert_bytes in resp.items:  # as SyncService._commit_synced
            verify_certified(decode_block(block_bytes, limits), cert_bytes, g, limits)

    rows.append(measure("sync Blocks answer, a 6 MiB block, its header signature forged",
                        len(blocks_resp), "1 (fails)", sync_blocks))
    token = "t" * 43
    hello = hello_line(token)[:-2] + b"x\n"
    rows.append(measure("admin TCP hello line (before the token matches)", len(hello), "token compare",
                        lambda: check_hello(hello, token)))
    line = b'{"jsonrpc": "2.0", "id": 1, "method": "ingest", "params": {"records": [' + b",".join(
        b'{"kind": "k", "ts_ms": 1, "fields": {"v": "%s"}}' % (b"x" * 4000) for _ in range(8000)) + b"]}}"
    rows.append(measure("admin Unix request line of 32 MiB (socket 0600: the node's own user)", len(line),
                        "n/a (local)", lambda: parse_request(line)))
    return rows


def presig_main(reps: int, out: Path) -> int:
    rows = _presig_rows(reps)
    print(f"{'message':<88} {'bytes':>10} {'CPU ms':>8} {'peak KiB':>9}  signatures")
    for r in rows:
        print(f"{r['message']:<88} {r['bytes']:>10,} {r['cpu_ms']:>8.2f} {r['peak_kib']:>9,.0f}  {r['signatures']}")
    out.write_text(json.dumps(rows, indent=2))
    return 0


# ------------------------------------------------------------- handshake slot churn

_CHURNER = r"""
import socket, sys, time
port, prefixes, seconds, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
held, n, t0 = [], 0, time.monotonic()
while time.monotonic() < t0 + seconds:
    pause = t0 + n / rate - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    s = socket.socket()
    s.setblocking(False)
    p = n % prefixes  # a /24 of 127/8 each: 127.1.0.0/24, 127.1.1.0/24, ...
    s.bind((f"127.{1 + p // 250}.{p % 250}.{1 + n % 200}", 0))
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    held.append(s)
    n += 1
    if len(held) > 3000:
        for x in held[:1000]:
            x.close()
        del held[:1000]
print(n)
"""


async def churn_main_async(prefixes: int, rate: float, seconds: float) -> dict[str, Any]:
    """Honest dials (fresh identities from 127.0.0.1) to a node while another process
    opens silent TCP connections at ``rate``/s from ``prefixes`` /24s of 127/8."""
    import subprocess

    from node.net import NetConfig, NetError, open_p2p

    async with open_p2p(os.urandom(32), NetConfig(prefix_caps_on_loopback=True)) as node:
        port = int(node.addrs()[0].split("/tcp/")[1].split("/")[0])
        churner = await trio.lowlevel.open_process(
            [sys.executable, "-c", _CHURNER, str(port), str(prefixes), str(seconds + 3), str(rate)],
            stdout=subprocess.PIPE)
        await trio.sleep(2)  # every handshake slot is held by now
        ok, failed, times = 0, 0, []
        end = trio.current_time() + seconds
        while trio.current_time() < end:
            async with open_p2p(os.urandom(32), NetConfig()) as honest:
                t = time.perf_counter()
                try:
                    with trio.fail_after(10):
                        await honest.connect(node.addrs()[0])
                    ok += 1
                    times.append(time.perf_counter() - t)
                except (NetError, trio.TooSlowError):
                    failed += 1
            await trio.sleep(0.05)
        out = b""
        assert churner.stdout is not None
        while chunk := await churner.stdout.receive_some():
            out += chunk
        await churner.wait()
        connects = int(out.decode().strip() or 0)
        st = node.inbound_stats()
        manager = node._swarm._resource_manager
        times.sort()
        return {"prefixes": prefixes, "rate": rate, "churn_connects": connects, "honest_ok": ok,
                "honest_failed": failed,
                "honest_dial_p50_ms": round(1000 * times[len(times) // 2], 1) if times else None,
                "evicted_handshakes": st.refused_handshakes if st else None,
                "libp2p_connections_held": getattr(manager, "_current_connections", None)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=float, default=120.0,
                    help="records/s ingested in total (below saturation, so a slowdown shows)")
    ap.add_argument("--phases", default="junk,forged,streams,sybils,syn,control",
                    help="attack phases after the baseline, comma-separated")
    ap.add_argument("--out", type=Path, default=Path("bench_attack_net.json"))
    ap.add_argument("--presig", action="store_true",
                    help="instead: CPU and memory of each inbound message kind before its first "
                         "signature check, offline (docs/net.md)")
    ap.add_argument("--reps", type=int, default=20, help="--presig: runs of each message")
    ap.add_argument("--churn", metavar="PREFIXES:RATE",
                    help="instead: honest dials to a node whose handshake slots another process churns "
                         "with RATE silent connects/s from PREFIXES /24s, for --seconds")
    args = ap.parse_args()
    if args.presig:
        return presig_main(args.reps, args.out)
    if args.churn:
        prefixes, rate = args.churn.split(":")
        row = trio.run(churn_main_async, int(prefixes), float(rate), args.seconds)
        print(json.dumps(row))
        args.out.write_text(json.dumps(row, indent=2))
        return 0
    rows = trio.run(main_async, args)
    print(f"{'phase':<10} {'records/s/node':>15} {'ratio':>6} {'worst status':>13}")
    for r in rows:
        print(f"{r['phase']:<10} {r['records_per_s']:>15.1f} {r['ratio']:>6.2f} {r['worst_status_s'] * 1000:>10.0f} ms")
    n0 = rows[-1].get("node0", {})
    print("node 0 at the end:", json.dumps(n0))
    args.out.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
