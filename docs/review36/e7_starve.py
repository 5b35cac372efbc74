"""(d) Once every subscriber is stalled, publish() stops blocking: does an unpaced publisher starve the trio loop?
A ticker task (sleep 10 ms) measures the loop's responsiveness while a publishes unpaced for 4 s.
Honest b runs in another process. argv: send_stall_s"""
import sys, subprocess, trio
sys.path.insert(0, "/work/main")
from node.net import NetConfig, open_p2p
TOPIC = "/attnshare/test/blocks/1"
async def main():
    stall = float(sys.argv[1])
    cfg = NetConfig(send_stall_s=stall, send_stall_drop_s=0)
    async with open_p2p(bytes([1]) * 32, cfg) as a:
        await a.subscribe(TOPIC, None)
        proc = await trio.lowlevel.open_process([sys.executable, str(__import__("pathlib").Path(__file__).resolve().parent / "honest_peer.py"), a.addrs()[0], "1", "14"],
                                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        with trio.fail_after(30):
            while not a.mesh_peers(TOPIC):
                await trio.sleep(0.05)
        gaps = []
        async def ticker():
            last = trio.current_time()
            while True:
                await trio.sleep(0.01)
                now = trio.current_time(); gaps.append(now - last); last = now
        n = 0
        async with trio.open_nursery() as nur:
            nur.start_soon(ticker)
            t0 = trio.current_time()
            while trio.current_time() - t0 < 4:
                await a.publish(TOPIC, n.to_bytes(4, "big") + bytes(64 * 1024 - 4)); n += 1
            nur.cancel_scope.cancel()
        s = a.statistics()
        print(f"stall={stall}: published {n} in 4 s; ticker ran {len(gaps)} times (expect ~400), max gap {max(gaps):.3f} s, sum {sum(gaps):.2f} s, mean {sum(gaps)/len(gaps)*1000:.1f} ms; "
              f"send_stalls={s.send_stalls} send_drops={s.total().send_drops}", flush=True)
        out = b""
        while (more := await proc.stdout.receive_some(1000)):
            out += more
        await proc.wait()
        print(out.decode().strip())
trio.run(main)
