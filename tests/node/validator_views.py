"""Views of four validators on the shipped scorer: what validators run to score a block
(``Views.score_sync``: score_and_copies, then the copy rule), for end-to-end copy-rule tests."""

from __future__ import annotations

from node.core.views import Views
from node.sim.cluster import shared_scorer
from node.worker import Worker
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.validators import ValidatorSet


def validator_views(key_byte: int, capacity: int = 1024) -> tuple[Views, str]:
    """Views under a genesis of four validators (keys ``key_byte`` .. ``key_byte + 3``), and the
    peer id of the second, the proposer the tests commit as."""
    keys = [PrivateKey(bytes([key_byte + i]) * 32) for i in range(4)]
    scorer = shared_scorer()
    g = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in keys),
                accepted_model_ids=(scorer.model_id,))
    return Views(g, scorer, Worker("model"), capacity=capacity), keys[1].peer_id
