"""Review 44, finding 4: an honest proposer ships a block only when its own scores clear the bar by
``PROPOSER_MARGIN``, so no honest block sits where validators' hardware differences decide it.
``fit_block`` (the daemon's proposer) is checked here with scores set at the edge."""

from __future__ import annotations

from collections.abc import Sequence

import trio

from node.core.views import fit_block
from protocol.admission import PROPOSER_MARGIN, clears_importance
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record
from protocol.validators import ValidatorSet

KEY = PrivateKey(bytes([0x66]) * 32)
G = Genesis(network_id="testnet", validators=ValidatorSet([KEY.peer_id]), accepted_model_ids=(cid_of(b"proposer margin model"),))
BAR = G.min_block_importance
RECORDS = [Record.create("note", KEY.peer_id, i, {"i": i}) for i in range(4)]


def _fit(by_record: dict[int, float]) -> tuple[list[Record], list[float]]:
    async def score(block: Sequence[Record]) -> list[float]:
        return [by_record[int(r.fields["i"])] for r in block]

    return trio.run(fit_block, score, RECORDS, G)


def test_a_block_at_the_edge_of_the_bar_does_not_ship() -> None:
    edge = BAR + PROPOSER_MARGIN / 2
    assert clears_importance([edge] * 4, G)  # validators would accept it, on most hardware
    assert _fit(dict.fromkeys(range(4), edge)) == ([], [])


def test_a_block_clear_of_the_margin_ships_whole() -> None:
    clear = BAR + 2 * PROPOSER_MARGIN
    assert _fit(dict.fromkeys(range(4), clear)) == (RECORDS, [clear] * 4)


def test_an_edge_block_falls_back_to_its_better_half() -> None:
    high, low = BAR + 0.1, BAR - 0.1 + PROPOSER_MARGIN  # the whole block's mean: bar + margin / 2
    scores = {0: high, 1: low, 2: high, 3: low}
    assert clears_importance(list(scores.values()), G)
    assert _fit(scores) == ([RECORDS[0], RECORDS[2]], [high, high])
