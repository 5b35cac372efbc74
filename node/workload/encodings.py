"""The same stream written differently: a family's records re-encoded, labels and cases unchanged.

Importance does not depend on how a number is spelled or where a schema puts it, so the ranking
should not either (docs/attention.md, "Session 12"). :func:`encode` rewrites one record in one of
:data:`MODES`; :class:`Encoded` wraps a workload so its batches come out that way.
``scripts/eval_encodings.py`` scores them side by side; tests/node/test_encodings.py keeps the
featurizer invariant to the ones it reads as numbers.

* ``plain``: the record as written;
* ``units``: every number outside -8..8 as text, in one style per (kind, field): ``"38.50 kg"``,
  ``"1,234.5°C"``, ``"38.500"`` or ``"~38.5 kWh"`` (units drawn from a fixed list);
* ``half``: ``units`` on about half of the (kind, field)s, plain numbers on the rest;
* ``csv``: every value as text (``str(x)``; booleans ``"true"``/``"false"``): bare integers
  then read as ids (node/attention/quantity.py says why), decimals as numbers;
* ``wide``: eight steady calibration numbers added to every record (``a0_cal``..``a7_cal``, one
  value per kind), named to sort before the family's own fields;
* ``x1000``, ``x0.001``: every measured number (floats, integers outside -8..8) in a unit a
  thousand times smaller or larger (grams for kilograms, kilowatts for watts);
* ``optional``: the records of about half the origins carry one more number, ``a_opt``, sorting
  first, steady per origin: a schema with an optional field, so the other numbers sit one slot
  later in those records (a copy re-posted by another origin then differs in it);
* ``upper``: every text value in upper case (the lexicon folds case).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from protocol.record import Record

__all__ = ["MODES", "Encoded", "encode"]

MODES = ("plain", "units", "half", "csv", "wide", "x1000", "x0.001", "optional", "upper")
UNITS = ("kg", "°C", "kWh", "m/s", "bar", "%", "ms", "L", "psi", "t", "km", "rpm", "$", "€")


def _field_hash(kind: str, key: str) -> int:
    return int.from_bytes(hashlib.sha256(f"attnshare-encodings/{kind}/{key}".encode()).digest()[:4], "little")


def as_text(v: int | float, h: int) -> str:
    """A number written with a unit, in the style ``h`` picks for its field."""
    unit = UNITS[h % len(UNITS)]
    style = (h >> 8) % 4
    if isinstance(v, float):
        return (f"{v:.2f} {unit}", f"{v:,.1f}{unit}", f"{v:.3f}", f"~{v:.1f} {unit}")[style]
    return (f"{v} {unit}", f"{v:,} {unit}", f"{v}.0", f"{v}{unit}")[style]


def encode(record: Record, mode: str) -> Record:
    """``record`` in encoding ``mode`` (see the module doc); ``plain`` returns it unchanged."""
    if mode == "plain":
        return record
    fields: dict[str, Any] = {}
    if mode == "wide":
        # Eight steady calibration numbers per record, named to sort first (a wide telemetry
        # schema): the family's own numbers come after them in key order.
        seed = _field_hash(record.kind, "")
        for j in range(8):
            base = 1.0 + ((seed >> (3 * j)) % 97)
            fields[f"a{j}_cal"] = round(base * (1.0 + 0.001 * ((seed >> j) % 7 - 3)), 4)
    if mode == "optional":
        h = _field_hash(record.kind, "opt/" + record.origin)
        if h & 1:
            # Half the origins (newer firmware) send it, each a steady value within 1% of a
            # per-kind level: never an anomaly of its own, and a copy from the origin keeps it.
            fields["a_opt"] = round((10.0 + _field_hash(record.kind, "opt") % 90) * (1.0 + ((h >> 8) % 2001 - 1000) / 1e5), 4)
    for k, v in record.items:
        h = _field_hash(record.kind, k)
        if mode == "upper":
            if isinstance(v, str):
                v = v.upper()
        elif mode in ("x1000", "x0.001"):
            if isinstance(v, float):
                v = v * (1000.0 if mode == "x1000" else 0.001)
            elif isinstance(v, int) and not isinstance(v, bool) and not -8 <= v <= 8:
                v = v * 1000 if mode == "x1000" else v * 0.001
        elif mode == "csv":
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, int | float):
                v = str(v)
        elif (isinstance(v, int | float) and not isinstance(v, bool) and not (isinstance(v, int) and -8 <= v <= 8)
              and (mode == "units" or (h >> 16) % 2 == 0)):
            v = as_text(v, h)
        fields[k] = list(v) if isinstance(v, tuple) else v
    return Record.create(record.kind, record.origin, record.ts_ms, fields)


class Encoded:
    """A workload whose records come out in one encoding (labels, cases and refs unchanged)."""

    def __init__(self, inner: Any, mode: str) -> None:
        self.inner, self.mode = inner, mode

    def next_labeled(self, n: int, now: int) -> list[Any]:
        return [dataclasses.replace(lr, record=encode(lr.record, self.mode)) for lr in self.inner.next_labeled(n, now)]
