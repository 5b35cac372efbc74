"""Benchmark the protocol core: blocks, votes and CIDs, on this machine, in one run.

For blocks of 64, 256 and 1024 realistic records (100-200 bytes, several
fields) it times the proposer's path (compress + hash + sign: ``build_block``)
and the receiver's path (decode + verify the signature + open the payload:
CID check, zstd, record decoding), and reports sizes and compression ratios.
It also times vote verification (decoding a batch and checking every
signature) next to a bare Ed25519 verify, and CID computation.

Each figure is the best and the median of several repetitions of a timed loop
(``time.perf_counter``); the machines are shared and noisy, so compare ratios
within one run rather than figures across runs.

Usage: ``python scripts/bench_protocol.py [--out bench_protocol.json] [--reps 5]``
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from protocol import vote as vote_module  # noqa: E402
from protocol.block import Block, BlockLimits, build_block, decode_block, open_payload  # noqa: E402
from protocol.cid import cid_bytes, cid_from_text, cid_of, cid_to_text  # noqa: E402
from protocol.codec import packb  # noqa: E402
from protocol.errors import RemoteError  # noqa: E402
from protocol.keys import DOMAIN_VOTE, PrivateKey, peer_id_from_public_bytes, signing_domain  # noqa: E402
from protocol.lru import LruCache  # noqa: E402
from protocol.record import Record, decode_record, decode_records  # noqa: E402
from protocol.validators import ValidatorSet  # noqa: E402
from protocol.vote import MAX_BATCH_VOTES, Decision, Reason, Vote, decode_vote_batch, sign_vote  # noqa: E402

BLOCK_SIZES = (64, 256, 1024)
VOTE_BATCH = 256
MODEL_ID = cid_of(b"attnshare bench model")
GENESIS_ID = cid_of(b"attnshare bench genesis")


def realistic_records(n: int, origin: str, rng: random.Random) -> list[Record]:
    """``n`` records shaped like what nodes ingest: entity ids, readings, statuses, tags."""
    kinds = {
        "trade": lambda: {"sym": rng.choice(["ABC", "XYZ", "QRS", "LMN"]), "px": round(rng.gauss(100, 5), 2),
                          "qty": rng.randrange(1, 5000), "side": rng.choice(["buy", "sell"])},
        "listing": lambda: {"item": f"item-{rng.randrange(10_000):05d}", "price": round(rng.uniform(1, 900), 2),
                            "seller": f"s{rng.randrange(300)}", "title": rng.choice(
                                ["used bike, good state", "desk lamp", "vintage camera", "phone case"])},
        "reading": lambda: {"sensor": f"sensor-{rng.randrange(200):03d}", "value": round(rng.gauss(21, 3), 3),
                            "unit": "C", "status": rng.choice(["ok", "ok", "ok", "warn", "fail"])},
        "shipment": lambda: {"parcel": f"P{rng.randrange(10**8):08d}", "hub": rng.choice(["AMS", "FRA", "CDG"]),
                             "event": rng.choice(["scanned", "loaded", "delayed", "delivered"]),
                             "eta_h": rng.randrange(1, 96)},
    }  # fmt: skip
    out = []
    base_ts = 1_700_000_000_000
    for i in range(n):
        kind = rng.choice(sorted(kinds))
        fields = kinds[kind]()
        fields["region"] = rng.choice(["eu-west", "us-east", "ap-south"])
        if rng.random() < 0.4:
            fields["tags"] = tuple(rng.sample(["urgent", "bulk", "retry", "new", "audit", "vip"], 2))
        out.append(Record.create(kind, origin, base_ts + i * 37, fields))
    return out


def measure(fn: Callable[[], object], reps: int, min_time: float) -> tuple[float, float]:
    """(best, median) seconds per call of ``fn`` over ``reps`` timed loops of >= ``min_time`` s."""
    fn()  # warm caches (parsed keys, compressor setup) outside the timing
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time / 4:
            break
        number *= 2
    number = max(1, int(number * min_time / max(elapsed, 1e-9)))
    per_call = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        per_call.append((time.perf_counter() - t0) / number)
    return min(per_call), statistics.median(per_call)


def rate(best_median: tuple[float, float], items: int = 1) -> dict[str, float]:
    best, median = best_median
    return {"best_per_s": items / best, "median_per_s": items / median}


def bench_blocks(key: PrivateKey, reps: int, min_time: float) -> list[dict[str, Any]]:
    limits = BlockLimits()
    rows = []
    for n in BLOCK_SIZES:
        rng = random.Random(n)
        records = realistic_records(n, key.peer_id, rng)
        scores = [rng.random() for _ in records]
        raw_len = len(packb([r.canonical_bytes() for r in records]))

        def build(records: list[Record] = records, scores: list[float] = scores) -> Block:
            return build_block(
                key, genesis_id=GENESIS_ID, network="bench", seq=1, prev=None, created_ms=1_700_000_000_000,
                model_id=MODEL_ID, records=records, scores=scores, limits=limits,
            )  # fmt: skip

        block = build()
        wire = block.encode()

        def receive(wire: bytes = wire) -> tuple[Record, ...]:
            got = decode_block(wire, limits)
            got.signed.verify(GENESIS_ID)
            assert got.payload is not None
            return open_payload(got.header, got.payload, limits)

        assert receive() == tuple(records)
        payload = block.payload
        assert payload is not None
        build_t = measure(build, reps, min_time)
        receive_t = measure(receive, reps, min_time)
        rows.append(
            {
                "records": n,
                "record_bytes_avg": sum(len(r.canonical_bytes()) for r in records) / n,
                "raw_payload_bytes": raw_len,
                "payload_bytes": len(payload),
                "compression_ratio": raw_len / len(payload),
                "wire_bytes": len(wire),
                "build": rate(build_t),
                "build_records": rate(build_t, n),
                "receive": rate(receive_t),
                "receive_records": rate(receive_t, n),
            }
        )
    return rows


def bench_votes(reps: int, min_time: float) -> dict[str, Any]:
    voters = [PrivateKey(bytes([0x60 + i]) * 32) for i in range(8)]
    proposer = PrivateKey(bytes([0x5F]) * 32).peer_id
    signed = [
        sign_vote(
            Vote(cid_of(i.to_bytes(4, "big")), proposer, 1 + i, voters[i % 8].peer_id, Decision.ACCEPT, Reason.OK),
            voters[i % 8],
            GENESIS_ID,
        )
        for i in range(VOTE_BATCH)
    ]
    batch_wire = packb([[sv.vote.canonical_bytes(), sv.signature] for sv in signed])

    def cold() -> None:
        # Verified votes are remembered (protocol.vote._VERIFIED): time first sightings.
        vote_module._VERIFIED = LruCache(16384)

    def verify_batch() -> None:
        cold()
        for sv in decode_vote_batch(batch_wire).votes:
            sv.verify(GENESIS_ID)

    def verify_only() -> None:
        cold()
        for sv in signed:
            sv.verify(GENESIS_ID)

    def verify_seen() -> None:
        for sv in signed:
            sv.verify(GENESIS_ID)

    # A bare Ed25519 verify over a vote-sized message: the floor under both.
    msg = bytes(120)
    domain = signing_domain(DOMAIN_VOTE, GENESIS_ID)
    sig = voters[0].sign(domain, msg)
    pub = voters[0].public

    def raw_verify() -> None:
        pub.verify(domain, msg, sig)

    return {
        "batch_size": VOTE_BATCH,
        "vote_bytes": len(signed[0].vote.canonical_bytes()),
        "signed_vote_bytes": len(signed[0].encode()),
        "batch_decode_and_verify": rate(measure(verify_batch, reps, min_time), VOTE_BATCH),
        "verify_only": rate(measure(verify_only, reps, min_time), VOTE_BATCH),
        "verify_already_seen": rate(measure(verify_seen, reps, min_time), VOTE_BATCH),
        "raw_ed25519_verify_120B": rate(measure(raw_verify, reps, min_time)),
    }


def _old_cid_to_text(raw: bytes) -> str:
    """The previous implementation (CPython's pure-Python base32), kept for the side-by-side figure."""
    return "b" + base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def _old_cid_from_text(text: str) -> bytes:
    body = text[1:]
    raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8), casefold=False)
    if _old_cid_to_text(raw) != text:
        raise ValueError("non-canonical")
    return raw


def bench_old_vs_new(key: PrivateKey, reps: int, min_time: float) -> dict[str, Any]:
    """Issue 12 and finding 1: the previous code path and the current one, timed in one run."""
    rng = random.Random(7)
    records = realistic_records(1024, key.peer_id, rng)
    items = [r.canonical_bytes() for r in records]
    raw = packb(items)

    def records_one_by_one() -> None:  # what open_payload did per record before decode_records
        recs = [decode_record(b) for b in items]
        assert packb([r.canonical_bytes() for r in recs]) == raw

    def records_bulk() -> None:
        assert len(decode_records(items)) == len(items)
        assert packb(items) == raw

    cid_bin = cid_bytes(b"x")
    cid_text = cid_of(b"x")
    keys = [PrivateKey(bytes([0x60 + i]) * 32) for i in range(4)]
    members = ValidatorSet(k.peer_id for k in keys)

    def fresh_id() -> str:
        return peer_id_from_public_bytes(rng.randbytes(31) + b"\x01")

    def junk_batch(n: int) -> bytes:
        prop = fresh_id()
        return packb([[packb([cid_bytes(rng.randbytes(4)), prop, 1, fresh_id(), 1, 0]), bytes(64)] for _ in range(n)])

    junk_max = junk_batch(MAX_BATCH_VOTES)
    junk_4096 = junk_batch(4096)

    def refuse(wire: bytes) -> Callable[[], None]:
        def run() -> None:
            try:
                decode_vote_batch(wire, members)
            except RemoteError:
                return
            raise AssertionError("a batch of outsiders' votes was accepted")
        return run

    def pair(old: Callable[[], object], new: Callable[[], object], items_per_call: int = 1) -> dict[str, Any]:
        o, n = measure(old, reps, min_time), measure(new, reps, min_time)
        return {"old": rate(o, items_per_call), "new": rate(n, items_per_call), "speedup_best": o[0] / n[0]}

    return {
        "payload_records_1024": pair(records_one_by_one, records_bulk, len(items)),
        "cid_to_text": pair(lambda: _old_cid_to_text(cid_bin), lambda: cid_to_text(cid_bin)),
        "cid_from_text": pair(lambda: _old_cid_from_text(cid_text), lambda: cid_from_text(cid_text)),
        "refuse_outsider_batch_ms": {
            f"{MAX_BATCH_VOTES}_votes": measure(refuse(junk_max), reps, min_time)[0] * 1000,
            "4096_votes": measure(refuse(junk_4096), reps, min_time)[0] * 1000,
        },
    }


def bench_cids(reps: int, min_time: float) -> dict[str, Any]:
    small = bytes(range(150))
    kib = bytes(1024)
    text = cid_of(small)
    return {
        "cid_of_150B": rate(measure(lambda: cid_of(small), reps, min_time)),
        "cid_of_1KiB": rate(measure(lambda: cid_of(kib), reps, min_time)),
        "cid_parse_text": rate(measure(lambda: cid_from_text(text), reps, min_time)),
    }


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def print_table(result: dict[str, Any]) -> None:
    print(f"attnshare protocol benchmark  ({result['meta']['python']}, {result['meta']['cpu_count']} CPUs,"
          f" best / median of {result['meta']['reps']})")  # fmt: skip
    print()
    head = (f"{'records':>7} {'rec B':>6} {'raw B':>8} {'payload B':>9} {'ratio':>5} | "
            f"{'build/s':>15} {'build rec/s':>17} | {'recv/s':>15} {'recv rec/s':>17}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for row in result["blocks"]:
        print(
            f"{row['records']:>7} {row['record_bytes_avg']:>6.0f} {row['raw_payload_bytes']:>8} "
            f"{row['payload_bytes']:>9} {row['compression_ratio']:>5.2f} | "
            f"{_fmt(row['build']['best_per_s']):>7} / {_fmt(row['build']['median_per_s']):>5} "
            f"{_fmt(row['build_records']['best_per_s']):>8} / {_fmt(row['build_records']['median_per_s']):>6} | "
            f"{_fmt(row['receive']['best_per_s']):>7} / {_fmt(row['receive']['median_per_s']):>5} "
            f"{_fmt(row['receive_records']['best_per_s']):>8} / {_fmt(row['receive_records']['median_per_s']):>6}"
        )
    print()
    votes = result["votes"]
    raw = votes["raw_ed25519_verify_120B"]["best_per_s"]
    print(f"votes ({votes['signed_vote_bytes']} B signed, batches of {votes['batch_size']}):")
    for name in ("batch_decode_and_verify", "verify_only", "verify_already_seen", "raw_ed25519_verify_120B"):
        r = votes[name]
        print(f"  {name:<26} {_fmt(r['best_per_s']):>9} / {_fmt(r['median_per_s']):>9} per s"
              f"   ({r['best_per_s'] / raw:.2f} x raw verify)")  # fmt: skip
    print("CIDs:")
    for name, r in result["cids"].items():
        print(f"  {name:<26} {_fmt(r['best_per_s']):>9} / {_fmt(r['median_per_s']):>9} per s")
    ovn = result["old_vs_new"]
    print("previous code path vs current (same run, best per s):")
    for name in ("payload_records_1024", "cid_to_text", "cid_from_text"):
        r = ovn[name]
        print(f"  {name:<26} old {_fmt(r['old']['best_per_s']):>9}   new {_fmt(r['new']['best_per_s']):>9}"
              f"   x{r['speedup_best']:.2f}")
    for name, ms in ovn["refuse_outsider_batch_ms"].items():
        print(f"  refuse a batch of {name.replace('_', ' ')} from fresh outsider ids: {ms:.3f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("bench_protocol.json"), help="JSON output path")
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions per figure")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per timed repetition")
    args = parser.parse_args(argv)
    key = PrivateKey(bytes([0x5E]) * 32)
    result = {
        "meta": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "reps": args.reps,
            "min_time_s": args.min_time,
            "versions": {p: version(p) for p in ("msgpack", "cryptography", "zstandard")},
            "unix_time": time.time(),
        },
        "blocks": bench_blocks(key, args.reps, args.min_time),
        "votes": bench_votes(args.reps, args.min_time),
        "cids": bench_cids(args.reps, args.min_time),
        "old_vs_new": bench_old_vs_new(key, args.reps, args.min_time),
    }
    print_table(result)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
