"""Seeded record streams with ground-truth importance (training, evaluation, devnet, simulations).

Generator families, each a separate module with its own code path:

* :mod:`node.workload.domains` -- the seven hand-written domains (listings,
  trades, game, social, logistics, medical, manufacturing). ``Workload`` is
  this family; devnet, simulations and the daemon tests use it.
* :mod:`node.workload.randomized` -- domain-randomized worlds: random kinds,
  field names (several naming styles and languages), scales, units,
  distributions, vocabularies, case rates and priority encodings. Training
  uses it next to the domains so that the only stable signal is the
  definition of importance itself.
* :mod:`node.workload.holdout_fleet`, :mod:`node.workload.holdout_ledger`
  and :mod:`node.workload.holdout_airspace` -- written apart from the others
  and used **only** by evaluation (leave-one-family-out). Training code never
  imports them (tests check). ``airspace`` was written blind, by someone who
  did not tune the model (docs/holdout.md).

All families emit :class:`LabeledRecord` with the same ground-truth rules
(the definition in issue 3) and the same case names (:data:`CASES`), plus a
``detail`` saying why a routine record matters (anomaly, rare kind,
priority), which evaluation uses for its per-case table.
"""

from node.workload.domains import (
    CASES,
    DOMAINS,
    SEVERITIES,
    CatSpec,
    KindSpec,
    LabeledRecord,
    NumSpec,
    Workload,
)

__all__ = ["CASES", "DOMAINS", "SEVERITIES", "CatSpec", "KindSpec", "LabeledRecord", "NumSpec", "Workload"]
