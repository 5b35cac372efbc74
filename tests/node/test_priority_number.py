"""``priority_number_|z|`` (features revision 7): how far a number in a priority-named field sits from
its field's median, undiluted by the record's other numbers (the slots are mean-pooled)."""

from __future__ import annotations

from node.attention.features import CTX_NAMES, assemble_window, featurize_record
from node.attention.history import History
from protocol.keys import PrivateKey
from protocol.record import Record

ORIGIN = PrivateKey(b"\x01" * 32).peer_id

COL = CTX_NAMES.index("priority_number_|z|")
ZW = CTX_NAMES.index("max_|z|_window")


def rec(fields: dict, ts: int) -> Record:
    return Record.create("ticket", ORIGIN, ts, fields)


def window(name: str, pressing: list[int]) -> list[Record]:
    # Routine response targets 240/480/1440 minutes; the records at ``pressing`` hold 15.
    out = []
    for i in range(64):
        fields: dict = {name: 15 if i in pressing else (240, 480, 1440)[i % 3], "queue": 10 + i % 7,
                        "load": 100 + (i * 13) % 29}
        out.append(rec(fields, 1_000 * i))
    return out


def column(records: list[Record], history: History | None = None) -> list[float]:
    return assemble_window([featurize_record(r) for r in records], history).ctx[:, COL].tolist()


def test_a_pressing_value_of_a_priority_named_number_stands_out() -> None:
    col = column(window("response_urgency_min", [5, 40]))
    routine = [v for i, v in enumerate(col) if i not in (5, 40)]
    assert min(col[5], col[40]) > 0.6
    assert max(routine) < 0.45


def test_a_neutral_name_gives_nothing_while_the_anomaly_column_still_sees_it() -> None:
    records = window("queue_target", [5, 40])
    w = assemble_window([featurize_record(r) for r in records])
    assert w.ctx[:, COL].abs().max().item() == 0.0
    assert w.ctx[5, ZW].item() > 0.6


def test_past_the_slots_the_priority_number_is_still_read() -> None:
    # Ten aux numbers come first in key order: the priority field is past the eight slots.
    records = []
    for i in range(64):
        fields: dict = {f"aux{j:02d}": 5 + (i + j) % 3 for j in range(10)}
        fields["zz_urgency_min"] = 15 if i == 7 else (240, 480, 1440)[i % 3]
        records.append(rec(fields, 1_000 * i))
    col = column(records)
    assert col[7] > 0.6
    assert max(v for i, v in enumerate(col) if i != 7) < 0.45


def test_the_history_median_is_used_when_it_holds_the_field() -> None:
    past = [rec({"urgency": 15 if i % 2 else 20, "load": 100 + i % 9}, 1_000 * i) for i in range(200)]
    hist = History.from_records(past)
    now = [rec({"urgency": 15 if i % 2 else 20, "load": 100 + i % 9}, 300_000 + 1_000 * i) for i in range(32)]
    now.append(rec({"urgency": 900, "load": 104}, 400_000))
    col = column(now, hist)
    assert col[-1] > 0.9
    assert max(col[:-1]) < 0.3
