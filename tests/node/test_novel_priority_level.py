"""A priority level never held in a field that holds a scale of few values is a novelty claim
(session 32, ``History.unheard_of_level``).

Committed news sent again with its labels and its priority code re-typed (``"normale"`` as
``"normale-8f"``, which no lexicon reads and no copy digest matches: a priority field's value stays in
them, since a priority changed is news) passed 30% of 77 such blocks on 25 families, dc's 4 of 4 (2 of 4
with the claim; ``scripts/eval_copy_rule.py``). The novelty budget keeps two such records a block."""

from __future__ import annotations

from node.attention.features import featurize_record
from node.attention.history import History
from protocol.keys import PrivateKey
from protocol.record import Record

ORIGIN = PrivateKey(b"\x0b" * 32).peer_id
T0 = 1_700_000_000_000
LEVELS = ("normale", "normale", "e ulet", "e mesme", "e larte")  # the mode 40%: not "mostly one value"


def _ticket(i: int, severity: str, note: str = "Zevendesim i modulit optik") -> Record:
    return Record.create("tiketa", ORIGIN, T0 + i, {"ashpersia": severity, "nr": f"REQ-{i:06d}",
                                                    "permbledhja": f"{note} {i}", "kohezgjatja_min": 30 + i % 7})


def _history(n: int, levels: tuple[str, ...] = LEVELS) -> History:
    h = History(1024)
    h.add([_ticket(i, levels[i % len(levels)]) for i in range(n)])
    return h


def test_a_re_typed_level_is_a_claim() -> None:
    h = _history(40)
    fake = featurize_record(_ticket(900, "normale-8f"))
    assert h.novelty_claim(fake) == "a priority level never held in a field that holds a scale of few"
    assert h.novel(fake)
    # A level the view holds claims nothing new, whatever it says.
    assert not h.novel(featurize_record(_ticket(901, "e larte")))


def test_too_few_records_or_too_many_values_are_no_scale() -> None:
    # Under eight records of the field: no statistics yet, no claim.
    assert not _history(6).novel(featurize_record(_ticket(900, "normale-8f")))
    # A priority field of free text (a phrase a record) is no scale: a new phrase is no claim.
    phrases = tuple(f"urgjente, thirr teknikun {i}" for i in range(30))
    h = _history(40, phrases)
    assert not h.novel(featurize_record(_ticket(900, "urgjente, thirr teknikun 99")))


def test_a_label_field_is_not_read_as_a_scale() -> None:
    # A label with few values (no priority in its name) is the older rule's (``unheard_of``): a
    # re-typed code there is no priority claim.
    h = History(1024)
    h.add([Record.create("tiketa", ORIGIN, T0 + i, {"kategoria": ("kerkese", "incident", "ndryshim")[i % 3],
                                                    "kohezgjatja_min": 30 + i}) for i in range(40)])
    f = featurize_record(Record.create("tiketa", ORIGIN, T0 + 99, {"kategoria": "kerkese-61", "kohezgjatja_min": 31}))
    assert h.novelty_claim(f) != "a priority level never held in a field that holds a scale of few"


def test_a_level_written_as_a_number_is_not_read() -> None:
    # grid's honest case: a level (an integer) new to a young view is news, not a spelling made up.
    h = History(1024)
    h.add([Record.create("ariza", ORIGIN, T0 + i, {"oncelikSeviye": (1, 2, 3, 5)[i % 4], "abone": 30 + i,
                                                   "kayit": f"ARZ{i:05d}"}) for i in range(40)])
    f = featurize_record(Record.create("ariza", ORIGIN, T0 + 99, {"oncelikSeviye": 4, "abone": 31, "kayit": "ARZ99999"}))
    assert h.novelty_claim(f) != "a priority level never held in a field that holds a scale of few"
