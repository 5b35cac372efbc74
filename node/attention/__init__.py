"""The attention model: importance scoring of records in the context of their window.

Public API (the node daemon codes against these names):

* :class:`Scorer` with ``model_id``, ``device``, ``score(records, history=None)``,
  ``explain(records, index, top_k, history=None)`` and ``history(records)``;
* :class:`History`: bounded, order-free memory of committed records that
  scoring reads (copies of shared news, per-field statistics, kind counts);
* :func:`load_scorer` (default: the checkpoint shipped in this package);
* :func:`featurize` / :func:`featurize_record` / :class:`FeatureCache`:
  featurize once on arrival, score many times.

Importing this package imports torch (about 2 s); the CLI imports it only
inside the handlers that need it.
"""

from node.attention.features import (
    FeatureCache,
    RecordFeatures,
    WindowFeatures,
    featurize,
    featurize_record,
)
from node.attention.history import History
from node.attention.lexicon import LEXICON_ID
from node.attention.scorer import Scorer, default_checkpoint_path, load_scorer, window_slices

__all__ = [
    "LEXICON_ID",
    "FeatureCache",
    "History",
    "RecordFeatures",
    "Scorer",
    "WindowFeatures",
    "default_checkpoint_path",
    "featurize",
    "featurize_record",
    "load_scorer",
    "window_slices",
]
