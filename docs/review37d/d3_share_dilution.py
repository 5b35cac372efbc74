"""Review 37d, D3: idle sybil ids dilute an honest stranger's "fair share" of the serving pool.

``ServeGate`` now gives each stranger at most pool / (strangers that asked in the last 10 s). An id
that asks ONE cheap Heads every 9.5 s counts as active as fully as a stranger catching up. K such
ids (K/9.5 requests per second in all, each answered with a tiny HeadsResp) cut an honest stranger
observer's share of requests, bytes and burst to 1/(K+1) of the pool. Before the fix the same idle
ids cost the observer nothing (they drew almost nothing from the shared pool).

Real protocol.sync.ServeGate with default SyncParams, simulated ms clock, no network:
the observer asks a GetBlocks every 250 ms whose answer is 4 MiB (32 blocks of 128 KiB) and
released at once; 60 s simulated.

usage: .venv/bin/python docs/review37d/d3_share_dilution.py [--old]   (--old: code of 2d4b29e in /tmp/old)
"""

from __future__ import annotations

import sys

OLD = "--old" in sys.argv
sys.path.insert(0, "/tmp/old" if OLD else ".")

from protocol import catchup as cu  # noqa: E402
from protocol import sync as msg  # noqa: E402

ANSWER = 4 << 20
HEADS_ANSWER = 2_000


def run(k: int, seconds: int = 60) -> tuple[int, int, int]:
    gate = msg.ServeGate(cu.SyncParams(), is_known=lambda p: False)
    ok = busy = 0
    got = 0
    step = 250
    for t in range(0, seconds * 1000, step):
        for i in range(k):  # each sybil id asks once every 9.5 s, staggered
            if (t + i * 37) % 9_500 < step:
                if gate.admit(f"sybil{i}", t):
                    gate.release(f"sybil{i}", HEADS_ANSWER)
        if gate.admit("observer", t):
            ok += 1
            got += ANSWER
            gate.release("observer", ANSWER)
        else:
            busy += 1
    return ok, busy, got


def main() -> None:
    print(f"{'OLD 2d4b29e' if OLD else 'HEAD'}: observer (stranger) asks GetBlocks every 250 ms, 4 MiB answers, 60 s")
    for k in (0, 2, 16, 60, 200, 1000):
        ok, busy, got = run(k)
        print(f"  idle sybil ids={k:5d} (attack: {k / 9.5:6.1f} Heads/s in all): observer served {ok:4d}, "
              f"busy {busy:4d}, {got / (1 << 20) / 60:6.2f} MiB/s")


if __name__ == "__main__":
    main()
