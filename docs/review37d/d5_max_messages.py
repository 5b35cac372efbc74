"""Review 37d, D5 (held): the largest legitimate message of each bounded decoder still decodes.

Builds, with the real encoders, a vote batch of MAX_BATCH_VOTES votes plus a resend counter, a
certificate of MAX_CERT_VOTES votes, a HeadsResp of MAX_HEADS heads, a BlocksResp of MAX_LIMIT
items, a GetResp, a record of 64 fields each a list value (max_values 256), and a header, then
decodes each with the bounded decoders (max_containers) of HEAD. Also one container past each.

usage: .venv/bin/python docs/review37d/d5_max_messages.py
"""

from __future__ import annotations

import sys
import time

sys.path.insert(0, ".")

from protocol import sync as msg  # noqa: E402
from protocol.codec import packb  # noqa: E402
from protocol.errors import AttnshareError  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.quorum import MAX_CERT_VOTES, Certificate, decode_certificate  # noqa: E402
from protocol.record import Record, decode_record  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.vote import (MAX_BATCH_VOTES, MAX_RESEND, Decision, Reason, Vote, VoteBatch,  # noqa: E402
                           decode_vote_batch, sign_vote)


def check(name: str, fn, data: bytes) -> None:  # noqa: ANN001
    t = time.perf_counter()
    try:
        fn(data)
        res = "decoded"
    except AttnshareError as exc:
        res = f"REFUSED: {exc}"[:140]
    print(f"  {name:52s} {len(data):9d} B  {res}  ({(time.perf_counter() - t) * 1e3:.1f} ms)")


def main() -> None:
    keys = [PrivateKey(i.to_bytes(2, "big") * 16) for i in range(1, 1100)]
    bid = cid_of(b"blk")
    gid = cid_of(b"genesis")
    votes = tuple(sign_vote(Vote(cid_of(f"b{i}".encode()), keys[0].peer_id, i + 1, keys[1].peer_id,
                                 Decision.ACCEPT, Reason.OK), keys[1], gid) for i in range(MAX_BATCH_VOTES))
    check(f"vote batch {MAX_BATCH_VOTES} votes + resend", decode_vote_batch, VoteBatch(votes, MAX_RESEND).encode())
    cvotes = tuple(sign_vote(Vote(bid, keys[0].peer_id, 7, keys[i].peer_id, Decision.ACCEPT, Reason.OK), keys[i], gid)
                   for i in range(1, MAX_CERT_VOTES + 1))
    check(f"certificate {MAX_CERT_VOTES} votes", decode_certificate, Certificate(bid, keys[0].peer_id, 7, cvotes).encode())
    heads = tuple((keys[i].peer_id, 10, bid, 10) for i in range(msg.MAX_HEADS))
    check(f"HeadsResp {msg.MAX_HEADS} heads", msg.decode_response, msg.encode_response(msg.HeadsResp(heads)))
    items = tuple((b"b" * 10, b"c" * 10) for _ in range(msg.MAX_LIMIT))
    check(f"BlocksResp {msg.MAX_LIMIT} items", msg.decode_response, msg.encode_response(msg.BlocksResp(items)))
    check("GetResp", msg.decode_response, msg.encode_response(msg.GetResp(b"x" * 100, b"y" * 100)))
    fields = {f"f{i:02d}": [1, 2.5, "x", True] for i in range(64)}
    rec = Record.create("k", keys[0].peer_id, 1, fields)
    check("record 64 fields x list of 4", decode_record, rec.canonical_bytes())
    # one past: a HeadsResp-shaped answer with nested arrays in the heads (never legitimate)
    bomb = packb([0, [[[], [], [], []] for _ in range(300)]])
    check("bomb: 300 heads of 4 empty arrays each", msg.decode_response, bomb)


if __name__ == "__main__":
    main()
