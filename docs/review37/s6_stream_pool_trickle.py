"""Review 37, finding 2 (stream layer): two ids that never finish a request frame hold all 8
open-request slots the strangers share; honest strangers are answered "busy"; no standing is lost.

Real py-libp2p hosts over loopback (node.net.open_p2p, default NetConfig), the real StreamServer.
The server registers the sync protocol with a trivial handler (the stream layer is what is
measured here; the sync handler is never reached by the attackers' streams).

- 2 attacker hosts (fresh keys: strangers), each keeping 4 sync streams open that carry only a
  4-byte length prefix and no body (reopened when the server resets them after
  request_read_timeout_s = 5 s);
- 1 honest stranger host making one sync request every 0.5 s.

Prints the honest stranger's ok/busy counts with and without the attackers, and the attackers'
standing and bad-request counts in the server's budget afterwards.

usage: .venv/bin/python docs/review37/s6_stream_pool_trickle.py [seconds]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, ".")

import trio  # noqa: E402
from libp2p.custom_types import TProtocol  # noqa: E402
from libp2p.peer.id import ID  # noqa: E402

from node.core.syncsvc import SYNC_PROTOCOL  # noqa: E402
from node.net import NetConfig, NetError, open_p2p  # noqa: E402
from protocol.sync import MAX_REQUEST_BYTES  # noqa: E402


async def hold_streams(att, server_id: str, n: int, stop: trio.Event, opened: list[int]) -> None:
    async def one() -> None:
        while not stop.is_set():
            try:
                s = await att._host.new_stream(ID.from_base58(server_id), [TProtocol(SYNC_PROTOCOL)])
                await s.write((100).to_bytes(4, "big"))  # a 100-byte frame announced, never sent
                opened[0] += 1
                with trio.move_on_after(7):
                    while await s.read(4096):  # until the server resets it (5 s) or answers busy
                        pass
                try:
                    await s.reset()
                except Exception:
                    pass
            except Exception:
                await trio.sleep(0.05)
    async with trio.open_nursery() as n_:
        for _ in range(n):
            n_.start_soon(one)


async def main(seconds: float) -> None:
    async with open_p2p(os.urandom(32), NetConfig()) as server, \
            open_p2p(os.urandom(32), NetConfig()) as honest, \
            open_p2p(os.urandom(32), NetConfig()) as a1, \
            open_p2p(os.urandom(32), NetConfig()) as a2:
        async def handler(peer: str, data: bytes) -> bytes:
            return b"ok"
        server.set_handler(SYNC_PROTOCOL, handler, max_request=MAX_REQUEST_BYTES)
        for h in (honest, a1, a2):
            await h.connect(server.addrs()[0])

        async def honest_load(secs: float) -> dict:
            c = {"ok": 0, "busy": 0, "other": 0}
            end = trio.current_time() + secs
            while trio.current_time() < end:
                try:
                    out = await honest.request(server.peer_id, SYNC_PROTOCOL, b"\x91\x01", max_response=1 << 20)
                    c["ok" if out == b"ok" else "other"] += 1
                except NetError as exc:
                    c["busy" if "busy" in str(exc) else "other"] += 1
                await trio.sleep(0.5)
            return c

        print(f"no attack, {seconds:.0f} s: honest stranger {await honest_load(seconds)}")
        stop = trio.Event()
        opened = [0]
        async with trio.open_nursery() as nursery:
            nursery.start_soon(hold_streams, a1, server.peer_id, 4, stop, opened)
            nursery.start_soon(hold_streams, a2, server.peer_id, 4, stop, opened)
            await trio.sleep(2.0)
            res = await honest_load(seconds)
            stop.set()
            nursery.cancel_scope.cancel()
        now = trio.current_time()
        views = [server.budget.view(a.peer_id, now) for a in (a1, a2)]
        print(f"2 attackers x 4 trickled streams, {seconds:.0f} s: honest stranger {res}; attacker streams opened "
              f"{opened[0]}; attackers' standing {[v.standing for v in views]}, bad_requests "
              f"{[v.bad_requests for v in views]}")


if __name__ == "__main__":
    trio.run(main, float(sys.argv[1]) if len(sys.argv) > 1 else 12.0)
