"""Explanations in the words of the importance definition.

:func:`reasons` reads the same features the model read (window tensors and
the history) and states, for one record, each clause of the definition that
applies to it, strongest first:

* ``exact_copy`` / ``near_copy``: a copy of which earlier record of the
  window (by CID, with the distance in robust spreads), or of something
  already committed (history);
* ``anomaly``: "temp_c is 7.2 MADs above the kind's history median" (the
  window's median when the history lacks the field);
* ``burst_head`` / ``burst_tail``: "first of a burst of 14 from this origin";
* ``priority``: "priority word 'critical' in field severity", a set flag, or
  a rare value of a priority-named field;
* ``rare_kind`` / ``rare_value``: "rare kind: 2 in the last 10,000", "phase is
  'ALERFA' in 2 of 60 records of this kind here, 'NIHIL' in 55" (a value
  far below its field's usual one: ``features.minority``).

Each reason is a dict ``{"code", "text", ...}`` with the figures as fields,
so the CLI can print a table and ``--json`` keeps everything. The model's
score is what ranks records; reasons say which of the definition's cases the
record falls in, not how much each moved the score (the occlusion
``features`` of :meth:`Scorer.explain` do that).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch

from node.attention.features import (
    _HIST_MIN,
    _MAX_EXTRA,
    _MAX_LIST,
    CTX_NAMES,
    NUM_SLOTS,
    WindowFeatures,
    _is_priority_field,
    as_quantity,
    code_form,
    featurize_record,
    is_categorical,
    minority,
    num_key_id,
    wide_slot_positions,
)
from node.attention.lexicon import clause_words, colour_weight, priority_words
from protocol.record import Record

if TYPE_CHECKING:
    from node.attention.history import History

__all__ = ["OCCLUSION_FIELDS", "OCCLUSION_GROUPS", "OCCLUSION_NEIGHBOURHOOD", "neighbourhood",
           "numeric_fields", "numeric_slot_names", "reasons"]

# What the occlusion of :meth:`Scorer.explain` may cost (``Scorer._field_effects``): each
# variant of the record is a Record, its features and an assembled window of its
# neighbourhood (about 1.5 ms for a record of 64 fields, whatever the window), so their
# number is the cost: at most 16 variants here, about 0.8 window-scorings of 512 records.
#: records a field occlusion re-scores: the explained record and those it attends to most
OCCLUSION_NEIGHBOURHOOD = 32
#: fields occluded one by one, at most, in a record of more than OCCLUSION_FIELDS + OCCLUSION_GROUPS
OCCLUSION_FIELDS = 8
#: groups such a record's fields are screened in first
OCCLUSION_GROUPS = 8

_C = {name: i for i, name in enumerate(CTX_NAMES)}
_MAD_PER_SIGMA = 1.0 / 1.4826  # z is in robust SDs (1.4826 MAD); reasons speak in MADs


def numeric_fields(record: Record) -> list[tuple[str, int]]:
    """Every number the featurizer reads from ``record``, in its order: (name, the (kind, field) key
    id it is grouped under). Lists give ``(count)`` and ``(mean)``, blobs ``(bytes)``."""
    out: list[tuple[str, str]] = []
    for key, value in record.items:
        if isinstance(value, tuple | list):
            out.append((key + " (count)", key + "#n"))
            if any(isinstance(x, int | float) and not isinstance(x, bool) for x in value) or any(
                    as_quantity(x) for x in value[:_MAX_LIST]):
                out.append((key + " (mean)", key + "#mean"))
            # The featurizer reads each blob of a list's first items as a length (review of session
            # 12, finding 7: the names were shifted after such a list).
            out.extend((key + " (bytes)", key + "#bytes") for x in value[:_MAX_LIST] if isinstance(x, bytes | bytearray))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int | float) or as_quantity(value) is not None:
            out.append((key, key))
        elif isinstance(value, bytes | bytearray):
            out.append((key + " (bytes)", key + "#bytes"))
    return [(name, num_key_id(record.kind, k)) for name, k in out[:NUM_SLOTS + _MAX_EXTRA]]


def numeric_slot_names(record: Record, window: Sequence[Record] = (), history: History | None = None) -> list[str]:
    """Names of the record's numeric slots, in the featurizer's order. A record with more than
    ``NUM_SLOTS`` numbers gives its slots to those that differ from their field's median (the
    ``history``'s when it holds enough of the field, else among the ``window``'s records of its
    kind: ``features.wide_slot_positions``), so the names follow that choice."""
    fields = numeric_fields(record)
    if len(fields) <= NUM_SLOTS:
        return [name for name, _ in fields]
    same = [r for r in window if r.kind == record.kind]
    me = next((i for i, r in enumerate(same) if r is record or r == record), None)
    if me is None:
        same.append(record)
        me = len(same) - 1
    picks = wide_slot_positions([featurize_record(r) for r in same], history)[me]
    return [fields[p][0] for p in picks]


def neighbourhood(n: int, i: int, weights: torch.Tensor | None, size: int) -> list[int]:
    """Indices, in window order, of record ``i`` and the ``size - 1`` records it attends to most.

    ``weights``: record ``i``'s attention over the window (last layer, mean over
    heads); without it (a model without attention) the nearest records by
    position. The whole window when it has at most ``size`` records.
    """
    if n <= size:
        return list(range(n))
    if weights is not None:
        order = torch.argsort(weights, descending=True, stable=True).tolist()
    else:
        order = sorted(range(n), key=lambda j: (abs(j - i), j))
    picked = {i}
    for j in order:
        if len(picked) >= size:
            break
        picked.add(j)
    return sorted(picked)


def _fmt_count(x: int) -> str:
    return f"{x:,}"


def _label(value: object) -> str | None:
    """A value as a categorical label (``features.is_categorical``), or None for a number or text."""
    if not is_categorical(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _exceptional_value(window: Sequence[Record], i: int) -> tuple[str, str, int, int, str, int] | None:
    """The field of ``window[i]`` whose value is furthest below its field's usual value among the
    window's records of its kind (``features.minority``): (field, value, count, total, usual value,
    its count); None when no field of eight or more such records has one."""
    rec = window[i]
    best: tuple[float, tuple[str, str, int, int, str, int]] | None = None
    same = [dict(r.items) for r in window if r.kind == rec.kind]
    for key, value in rec.items:
        label = _label(value)
        if label is None:
            continue
        # Counted by code form, as the features count them ("OK" and "ok " are one value); shown as
        # first written.
        counts: dict[str, int] = {}
        shown: dict[str, str] = {}
        for fields in same:
            other = fields.get(key)
            lab = _label(other) if other is not None else None
            if lab is not None:
                code = code_form(lab) if isinstance(other, str) else lab
                counts[code] = counts.get(code, 0) + 1
                shown.setdefault(code, lab)
        total = sum(counts.values())
        if total < 8:
            continue
        mode, mode_count = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        mine = code_form(label) if isinstance(value, str) else label
        m = minority(counts.get(mine, 0), mode_count, total)
        if m > 0 and (best is None or m > best[0]):
            best = (m, (key, label, counts.get(mine, 0), total, shown[mode], mode_count))
    return best[1] if best is not None else None


def reasons(window: Sequence[Record], i: int, w: WindowFeatures, history: History | None) -> list[dict[str, Any]]:
    """The definition's clauses that apply to ``window[i]`` (see the module docstring)."""
    rec = window[i]
    ctx = w.ctx[i].tolist()
    n = len(window)
    out: list[dict[str, Any]] = []
    earlier = [j for j in range(n) if float(w.order[j]) < float(w.order[i])]
    # -- copies -----------------------------------------------------------------------
    content = int(w.content[i])
    exact_src = next((j for j in sorted(earlier, key=lambda j: float(w.order[j])) if int(w.content[j]) == content), None)
    if exact_src is not None:
        out.append({"code": "exact_copy", "of": window[exact_src].cid,
                    "text": f"exact duplicate of {window[exact_src].cid} (earlier in the window)", "weight": 1.0})
    elif ctx[_C["exact_copy_in_history"]] > 0.5:
        out.append({"code": "exact_copy", "of": "history",
                    "text": "exact duplicate of a record already committed", "weight": 1.0})
    else:
        best, best_d = None, math.inf
        k = float(w.num_mask[i].sum())
        # A record whose explicit priority differs (a word, a colour, a flag) is not a copy of the other.
        prio = [_C[c] for c in ("priority_word", "has_priority_word", "flag_set", "alert_colour", "has_alert_colour")]
        for j in earlier:
            if int(w.kind[j]) != int(w.kind[i]) or not bool((w.ctx[j, prio] == w.ctx[i, prio]).all()):
                continue
            same_digest = int(w.near[j]) == int(w.near[i])
            sim = float(w.cat[i] @ w.cat[j])
            d = float(((w.unit[i] - w.unit[j]) * w.num_mask[i]).pow(2).sum().sqrt()) / math.sqrt(max(k, 1.0))
            if (same_digest or (sim >= 0.8 and d <= 0.3)) and d < best_d:
                best, best_d = j, d
        if best is not None:
            out.append({"code": "near_copy", "of": window[best].cid, "distance": round(best_d, 3),
                        "text": f"near duplicate of {window[best].cid} (distance {best_d:.2f} spreads)",
                        "weight": 0.9})
        elif ctx[_C["near_copy_in_history"]] > 0.5:
            out.append({"code": "near_copy", "of": "history",
                        "text": "near duplicate of a record already committed", "weight": 0.9})
    # -- anomaly ----------------------------------------------------------------------
    names = numeric_slot_names(rec, window, history)
    best_slot, best_z, where = -1, 0.0, ""
    for s in range(len(names)):
        if float(w.num_mask[i, s]) < 0.5:
            continue
        zh = float(w.num[i, s, 2]) * 4.0
        zw = float(w.num[i, s, 0]) * 4.0
        has_hist = float(w.num[i, s, 4]) > 0.5
        z, src = (zh, "history") if has_hist else (zw, "window")
        if abs(z) > abs(best_z):
            best_slot, best_z, where = s, z, src
    if best_slot >= 0 and abs(best_z) >= 3.0:
        mads = abs(best_z) / _MAD_PER_SIGMA
        side = "above" if best_z > 0 else "below"
        field = names[best_slot]
        out.append({"code": "anomaly", "field": field, "mads": round(mads, 1), "against": where,
                     "text": f"{field} is {mads:.1f} MADs {side} the kind's {where} median",
                     "weight": min(1.0, (abs(best_z) - 2.5) / 4.0)})
    # -- bursts -------------------------------------------------------------------------
    run_len = round(math.expm1(ctx[_C["run_length"]] * 3.0))
    run_pos = round(math.expm1(ctx[_C["run_position"]] * 3.0))
    if run_len >= 2:
        if run_pos == 0:
            out.append({"code": "burst_head", "size": run_len,
                        "text": f"first of a burst of {run_len} from this origin", "weight": 0.6})
        else:
            out.append({"code": "burst_tail", "position": run_pos + 1, "size": run_len,
                        "text": f"record {run_pos + 1} of a burst of {run_len} from this origin "
                                "(the first carries the news)", "weight": 0.6})
    # -- priority ---------------------------------------------------------------------------
    f = featurize_record(rec)
    for key, value in rec.items:
        if isinstance(value, str):
            words = clause_words(value)[:32]
            hits = [(x, wt) for x, wt in priority_words(words) if wt >= 0.45]
            if hits:
                word, wt = max(hits, key=lambda h: h[1])
                out.append({"code": "priority", "field": key, "word": word, "level": wt,
                            "text": f"priority word '{word}' in field {key}", "weight": float(wt)})
            colour = colour_weight(words)
            if colour >= 0.67:
                out.append({"code": "priority", "field": key, "colour": value, "level": colour,
                            "text": f"alert colour '{value}' in field {key}", "weight": 0.5 * colour})
        elif value is True and f.prio_field and _is_priority_field(key):
            out.append({"code": "priority", "field": key, "text": f"flag {key} is set", "weight": 0.8})
    if max(ctx[_C["value_minority_window"]], ctx[_C["value_minority_history"]]) >= 0.4:
        exc = _exceptional_value(window, i)
        if exc is not None:
            key, value, count, total, mode, mode_count = exc
            out.append({"code": "rare_value", "field": key, "value": value, "count": count, "of": total,
                        "usual": mode, "usual_count": mode_count,
                        "text": f"{key} is {value!r} in {count} of {total} records of this kind here, "
                                f"{mode!r} in {mode_count}", "weight": 0.45})
    if ctx[_C["priority_value_rarity"]] >= 0.5:
        out.append({"code": "priority", "text": "a rare value of a priority field for this kind",
                    "rarity": round(ctx[_C["priority_value_rarity"]], 3), "weight": 0.5})
    # -- rarity -------------------------------------------------------------------------------
    if history is not None and len(history) >= 50:
        kc = history.kind_count(int(w.kind[i]))
        # Rare in absolute terms, or next to the kinds this window's records usually
        # have (a committed history over-represents important records, rare kinds included).
        typical = sorted(history.kind_count(int(k)) for k in w.kind.tolist())[(n - 1) // 2]
        if kc <= max(2, 0.005 * len(history)) or kc + 1 <= 0.1 * (typical + 1):
            out.append({"code": "rare_kind", "count": kc, "of": len(history),
                        "text": f"rare kind: {_fmt_count(kc)} in the last {_fmt_count(len(history))}"
                                + (f" (the window's usual kind: {_fmt_count(typical)})" if kc > 2 else ""),
                        "weight": 0.5})
        elif ctx[_C["value_rarity_history"]] >= 0.6 and kc >= _HIST_MIN:
            out.append({"code": "rare_value", "text": f"a value rarely seen in this kind's last {_fmt_count(kc)}",
                        "weight": 0.4})
    else:
        same = int((w.kind == w.kind[i]).sum())
        if same <= max(1, 0.02 * n):
            out.append({"code": "rare_kind", "count": same, "of": n,
                        "text": f"rare kind: {same} in this window of {n}", "weight": 0.5})
    if not out:
        out.append({"code": "routine", "text": "routine: nothing in the definition applies", "weight": 0.0})
    out.sort(key=lambda r: -float(r.get("weight", 0.0)))
    return out
