"""Quantities written as text: ``"38.5 °C"``, ``"1,234 kg"``, ``"$12.40"``, ``"85%"``, ``"1.234,5 t"``.

Why
---
Users feed their own schemas, and many write measurements as strings with a
unit. Read as a label, such a field is an id (every value differs): a reading
40 spreads from its field's median is no anomaly, and a near copy whose
number moved in the last digit is new content. Measured before this module
(``scripts/bench_encodings.py``, fleet and port, every number written with a
unit): NDCG@10% 0.83 -> 0.64 and 0.78 -> 0.64, anomaly rank 0.01 -> 0.27 and
0.03 -> 0.39, fleet's near duplicates 0.85 -> 0.54. The featurizer reads a
quantity as the number it is (same slots, same z, same near digest), and the
copy rule and explanations read it the same way.

What counts
-----------
The whole string must be one number with at most a short unit, so free text
and codes stay what they are:

* an optional ``~ ≈ < > ≤ ≥``, sign and currency sign before it (``-$5``);
* digits with an optional decimal point or comma, and grouping by ``,`` ``.``
  ``'`` ``’`` ``_`` or a (thin, no-break) space in groups of three (``1,234``,
  ``1.234.567,5``, ``12 500``); ``38,5`` is a decimal comma, ``1,234`` a
  thousands separator (three digits after a single comma);
* an optional exponent (``1.2e-3``);
* an optional unit after at most one space: up to six letters, ``%``, ``‰``,
  ``°`` or currency signs (``°C``, ``kWh``, ``µs``, ``12 €``), a trailing ``2``/``3``/``²``/``³``, and one
  ``/`` part (``km/h``, ``m³/h``).

Not quantities: bare digits and anything that could be a hex digest
(``4250``, ``02139``, ``70cfbbdd``, ``7be``: an id or a code, as a bare
``3`` is a label), leading zeros (``007.5``), versions and
addresses (``1.2.3``, ``192.168.0.1``), dates and times (``2026-12-01``,
``12:30``), hex (``0x1F``), codes with a letter first (``P1``, ``SEV2``,
``L3``), whole digits with one letter glued on, unless it is one of
``s m h d k g`` in either case (runway ``31R`` or ``31r``, seat ``12A``, train
``825T``; ``30s``, ``5 A``, ``5mA`` and ``1.5V`` are quantities) and anything
with a second word. A string holding a lexicon word or
an alert colour is not read as one either (features.py checks that first):
``"2 critical"`` keeps its priority reading.

Durations (format 2, session 22) read as seconds, so a field that mixes units compares its values
(``"5 Tage"``, ``"8 h"``, ``"30 min"``: 432,000, 28,800 and 1,800 s, not 5, 8 and 30), and one written
in ISO 8601 is read at all:

* a quantity whose unit is a time unit of :data:`node.attention.time_units.TIME_UNITS` (second,
  minute, hour, day and week, in many languages; no month or year, whose length varies, and no ``m``,
  which is metres) is its number of seconds, with the unit ``s``;
* an ISO 8601 duration of weeks, days, hours, minutes and seconds (``"PT36H"``, ``"P1DT12H"``,
  ``"PT1,5H"``; upper case, no years or months) is its number of seconds, unit ``s``.

Deterministic and pure: the reading is part of the feature contract
(:data:`QUANTITY_FORMAT` is in every checkpoint's feature spec, so the model
id covers it).
"""

from __future__ import annotations

import math
import re

from node.attention.time_units import TIME_UNITS

__all__ = ["FIRST_CHARS", "MAX_RAW", "QUANTITY_FORMAT", "parse_quantity"]

QUANTITY_FORMAT = "attnshare-quantity/2"  # 2: durations read as seconds

_MAX_LEN = 32  # after runs of whitespace are collapsed
MAX_RAW = 64  # before: longer strings are not read at all (and never memoized)
# A quantity starts with a digit, a sign, a decimal mark, or one of the prefixes: a cheap screen
# that keeps the regex off nearly every label.
FIRST_CHARS = frozenset("0123456789+-−.,~≈<>≤≥$€£¥₹₩₽P")  # P: an ISO 8601 duration
_UNIT_CHARS = r"(?:[^\W\d_]|[%‰°$€£¥₹₩₽])"
_UNIT = rf"{_UNIT_CHARS}{{1,6}}[23²³]?(?:/{_UNIT_CHARS}{{1,6}}[23²³]?)?"
# ASCII digits only ([0-9], not \d): "1２３４" must not pass where "1234" is an id.
_RE = re.compile(
    r"(?P<approx>[~≈<>≤≥])? ?(?P<sign0>[-+−])?(?P<cur>[$€£¥₹₩₽])? ?"
    r"(?P<sign>[-+−])?"
    r"(?P<body>[0-9][0-9.,'’_ ]*[0-9]|[0-9]|[.,][0-9]+)"
    r"(?:[eE](?P<exp>[-+]?[0-9]{1,3}))?"
    rf"(?: ?(?P<unit>{_UNIT}))?")
# The single letters that follow whole digits as units often enough to read them so (30s, 5m, 2h, 7d,
# 10k, 500g); any other (31R, 12A, 825T, 14r) makes a code.
_GLUED_UNITS = frozenset("smhdkg")
# Units that make a time of day or an ordinal (10am, 12 PM, 21st): codes, not quantities.
_NOT_UNITS = frozenset(("am", "pm", "st", "nd", "rd", "th"))
_HEXLIKE = re.compile(r"[0-9a-fA-F]+")
_ISO_NUM = r"([0-9]{1,6}(?:[.,][0-9]{1,6})?)"
# An ISO 8601 duration without years or months (their length varies): P[nW][nD][T[nH][nM][nS]].
_ISO_DURATION = re.compile(rf"P(?:{_ISO_NUM}W)?(?:{_ISO_NUM}D)?(?:T(?:{_ISO_NUM}H)?(?:{_ISO_NUM}M)?(?:{_ISO_NUM}S)?)?")
_ISO_SECONDS = (604_800, 86_400, 3_600, 60, 1)
_GROUP_SEPS = ",.'’_ "
_SPLIT = re.compile(r"[,.'’_ ]")


def _body_value(body: str) -> str | None:
    """The number a digit body spells, as a plain decimal string (``"1234.5"``), or None when its
    separators are not a grouping plus at most one decimal mark."""
    if body[0] in ".,":
        return "0." + body[1:]
    groups = _SPLIT.split(body)
    seps = [c for c in body if c in _GROUP_SEPS]
    if any(not g for g in groups):
        return None  # two separators in a row, or one at an end
    if not seps:
        if len(body) > 1 and body[0] == "0":
            return None  # an id: 007, 02139
        return body
    # The last separator is a decimal mark when it is . or , and either differs from the grouping
    # before it, or is the only one and is not followed by exactly three digits after a short head
    # ("38,5" and "0.5" are decimals, "1,234" is a thousand and 234, "1.234" a decimal).
    last = seps[-1]
    decimal = None
    if last in ".,":
        if len(seps) == 1:
            if last == "." or len(groups[1]) != 3 or groups[0] == "0" or len(groups[0]) > 3:
                decimal = groups[1]
        elif seps[-2] != last:
            decimal = groups[-1]
    ints = groups[:-1] if decimal is not None else groups
    grouping = seps[:-1] if decimal is not None else seps
    if len(set(grouping)) > 1:
        return None
    if grouping and (not 1 <= len(ints[0]) <= 3 or any(len(g) != 3 for g in ints[1:])):
        return None  # 1.2.3, 192.168.0.1, +1 555 123 4567
    head = "".join(ints)
    if len(head) > 1 and head[0] == "0":
        return None  # 00.5, 0,123,456
    return head + ("." + decimal if decimal is not None else "")


def parse_quantity(text: str) -> tuple[float, str] | None:
    """``(value, unit)`` when ``text`` is one number with at most a short unit, else None.

    The unit is lower-cased and includes a currency sign (``"$"``); the value carries the sign and
    the exponent. Never raises.
    """
    if not text or len(text) > MAX_RAW:
        return None
    s = " ".join(text.split())  # "38.5  °C" and "12\u2009500" read as "38.5 °C" and "12 500"
    if not s or len(s) > _MAX_LEN or s[0] not in FIRST_CHARS:
        return None
    if s[0] == "P":
        return _iso_duration(s)
    if _HEXLIKE.fullmatch(s) or s[:2] in ("0x", "0X", "0b", "0B", "0o", "0O"):
        return None  # an id or a code: bare digits (4250, 02139), hex (70cfbbdd, 7be), 0x1F
    m = _RE.fullmatch(s)
    if m is None:
        return None
    unit = m["unit"] or ""
    if len(unit) == 1 and unit.isalpha() and unit.lower() not in _GLUED_UNITS and m["body"].isdigit():
        return None  # a code, glued or spaced, in either case: runway 31R, seat 12 A, train 825T
    if unit.lower() in _NOT_UNITS or (m["exp"] and unit):
        return None  # 10am, 21st, 1.5e3e
    digits = _body_value(m["body"])
    if digits is None or (m["sign0"] and m["sign"]):
        return None  # "1.2.3", "-$-5"
    # One correctly rounded conversion of the whole literal (no pow: the same bits everywhere).
    value = float(digits + ("e" + m["exp"] if m["exp"] else ""))
    if not math.isfinite(value):
        return None
    if (m["sign"] or m["sign0"]) in ("-", "−"):
        value = -value
    seconds = None if m["cur"] else TIME_UNITS.get(unit.lower())
    if seconds is not None:
        return value * seconds, "s"  # a duration in any time unit compares with the others
    return value, (m["cur"] or "") + unit.lower()


def _iso_duration(s: str) -> tuple[float, str] | None:
    """An ISO 8601 duration's seconds (``"PT36H"``: 129,600), unit ``s``; None for anything else
    (``"P1"``, ``"PT"``, ``"P3Y"``)."""
    m = _ISO_DURATION.fullmatch(s)
    if m is None or not any(m.groups()) or s.endswith("T"):
        return None
    # Integer parts add exactly; a decimal part is one rounded product, the same bits everywhere.
    total = 0.0
    for part, unit in zip(m.groups(), _ISO_SECONDS, strict=True):
        if part:
            total += float(part.replace(",", ".")) * unit
    return total, "s"
