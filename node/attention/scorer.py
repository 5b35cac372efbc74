"""Inference: the consensus-facing scoring API (Scorer, load_scorer).

``Scorer.score(records, history=None)`` is a pure function of the sequence of
records and of the *contents* of the optional :class:`History` (committed
records; see history.py): no clock (age is relative to the newest record of
the window), no randomness, eval mode, no dropout, a pinned torch thread
count. Validators re-score a block's records with the block as context (and
the same committed view as history) and must agree with the proposer within
the genesis tolerance, so the same input must give the same scores (within
1e-4) in any process, on any machine.

A sequence longer than the checkpoint's ``max_window`` (1024) is split into
``ceil(n / max_window)`` contiguous chunks of near-equal size (the first
``n % k`` chunks one record longer), each scored as its own window. The split
depends only on ``n``, so every node splits the same way.

Scoring is sync and called from worker threads (``trio.to_thread.run_sync``):
a lock serializes forward passes, and per-record features are cached by
canonical bytes so a record featurized on arrival is not featurized again.
Forward passes go through :mod:`node.attention.fastpath` (the same logits
within about 2e-6, rearranged for inference) where it knows the architecture,
through ``model.forward`` otherwise and for explanations.

A checkpoint may carry a second set of weights, the *judge* (stage 2,
node/attention/train.py ``FinetuneConfig``): ``judge=True`` scores with it.
Windows are ranked with the model; a block's in-block scores (the proposer's
claims, the validators' re-scoring) come from the judge when there is one,
because the model's scores are off scale in that setting (docs/attention.md,
"Fifth wave"). Without a judge, ``judge=True`` scores with the model.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from node.attention.alloc import recycle_large_allocations
from node.attention.explain import (
    OCCLUSION_FIELDS,
    OCCLUSION_GROUPS,
    OCCLUSION_NEIGHBOURHOOD,
    neighbourhood,
    reasons,
)
from node.attention.fastpath import fast_forward_for
from node.attention.features import (
    FeatureCache,
    RecordFeatures,
    WindowFeatures,
    assemble_window,
    featurize_record,
    history_copies,
)
from node.attention.history import DEFAULT_CAPACITY, History
from node.attention.model import EnsembleNet, ImportanceNet, stack_windows
from node.attention.train import load_checkpoint, load_judge
from protocol.cid import cid_of
from protocol.errors import LocalError
from protocol.record import Record

__all__ = ["DEFAULT_CHECKPOINT", "STREAM_MEMORY", "Scorer", "load_scorer", "stream_context", "stream_scores", "window_slices"]

DEFAULT_CHECKPOINT = "model.pt"
SCORING_THREADS = 1  # measured as fast as 2 up to 256 records, and leaves a core to the node


def window_slices(n: int, max_window: int) -> list[tuple[int, int]]:
    """Deterministic split of ``n`` records into contiguous chunks of at most ``max_window``."""
    if n <= 0:
        return []
    k = math.ceil(n / max_window)
    base, extra = divmod(n, k)
    out, start = [], 0
    for i in range(k):
        end = start + base + (1 if i < extra else 0)
        out.append((start, end))
        start = end
    return out


STREAM_MEMORY = ("own", "all", "none")


def stream_scores(scorer: Scorer, records: Sequence[Record], *, window: int = 256, memory: str = "own",
                  share: float = 0.2, history: History | None = None,
                  progress: Callable[[int, int], None] | None = None) -> list[float]:
    """Scores of a long stream, read window after window the way a node reads it.

    :meth:`Scorer.score` scores each chunk of a long sequence alone, so a re-send of a record three
    chunks back, or a kind common early on and rare since, reads as news again at every chunk
    boundary. Here the stream is split into contiguous chunks of at most ``window`` records
    (:func:`window_slices`), and each chunk is scored against a :class:`History` of what came
    before it (``history``, if given, is extended in place; otherwise a new one of the default
    capacity):

    * ``memory="own"``: the ``share`` best-scored records of every earlier chunk (ties by
      position), which is what a node commits when it ships its top share, and the history the
      model was trained against (a committed view over-represents important records);
    * ``"all"``: every earlier record;
    * ``"none"``: nothing (chunks scored alone, as :meth:`Scorer.score` does at ``max_window``).

    Deterministic in the records and the arguments. ``progress(done, total)`` after each chunk.
    """
    _check_stream_args(memory, share)
    window = max(1, min(window, scorer.max_window))
    hist = history if history is not None else scorer.history()
    feats = [scorer.cache.get(r) for r in records]
    out: list[float] = []
    for a, b in window_slices(len(feats), window):
        part = feats[a:b]
        scores = scorer.score_features(part, hist if memory != "none" and len(hist) else None)
        out.extend(scores)
        _remember(hist, part, scores, memory, share)
        if progress is not None:
            progress(b, len(feats))
    return out


def stream_context(scorer: Scorer, records: Sequence[Record], index: int, *, window: int = 256,
                   memory: str = "own", share: float = 0.2) -> tuple[int, int, History]:
    """The chunk ``[a, b)`` of :func:`stream_scores` that holds record ``index``, and the history it
    is scored against there (what the earlier chunks left in it), so that an explanation of one
    record of a stream explains the score :func:`stream_scores` gave it."""
    _check_stream_args(memory, share)
    if not 0 <= index < len(records):
        raise LocalError(f"index {index} out of range for {len(records)} records")
    window = max(1, min(window, scorer.max_window))
    hist = scorer.history()
    for a, b in window_slices(len(records), window):
        if a <= index < b:
            return a, b, hist
        if memory != "none":
            part = [scorer.cache.get(r) for r in records[a:b]]
            _remember(hist, part, scorer.score_features(part, hist if len(hist) else None), memory, share)
    raise AssertionError("window_slices covers every index")


def _check_stream_args(memory: str, share: float) -> None:
    if memory not in STREAM_MEMORY:
        raise LocalError(f"memory must be one of {', '.join(STREAM_MEMORY)}, not {memory!r}")
    if not 0.0 < share <= 1.0:
        raise LocalError(f"share must be in (0, 1], not {share}")


def _remember(hist: History, part: list[RecordFeatures], scores: list[float], memory: str, share: float) -> None:
    """What a scored chunk leaves in the stream's history (see :func:`stream_scores`)."""
    if memory == "own":
        k = max(1, round(share * len(part)))
        top = sorted(range(len(part)), key=lambda i: (-scores[i], i))[:k]
        hist.add_features(part[i] for i in sorted(top))
    elif memory == "all":
        hist.add_features(part)


class Scorer:
    """A loaded importance model. Build it with :func:`load_scorer`."""

    def __init__(self, model: ImportanceNet | EnsembleNet, model_id: str, device: str, max_window: int,
                 meta: dict[str, Any] | None = None, judge: ImportanceNet | EnsembleNet | None = None) -> None:
        self.model = model.to(device).eval()
        self.judge = judge.to(device).eval() if judge is not None else None
        self.model_id = model_id
        self.device = device
        self.max_window = max_window
        self.meta = dict(meta or {})
        self.cache = FeatureCache()
        self._lock = threading.Lock()
        # The inference-only rearrangement of the same forward (fastpath.py) where the
        # architecture is one it knows; model.forward otherwise, and for explanations.
        self.forward = self._forward_for(self.model)
        self.judge_forward = self._forward_for(self.judge) if self.judge is not None else self.forward

    def _forward_for(self, model: ImportanceNet | EnsembleNet) -> Callable[[WindowFeatures], torch.Tensor]:
        fast = fast_forward_for(model) if self.device == "cpu" else None
        return fast if fast is not None else model

    # -- scoring ----------------------------------------------------------------
    def score(self, records: Sequence[Record], history: History | None = None, *, judge: bool = False) -> list[float]:
        """Scores in [0, 1], one per record, in order (see the module docstring).

        ``judge``: score with the judge's weights (a block's in-block scores), if the checkpoint has them.
        """
        return self.score_features([self.cache.get(r) for r in records], history, judge=judge)

    def score_features(self, feats: Sequence[RecordFeatures], history: History | None = None, *,
                       judge: bool = False) -> list[float]:
        """Like :meth:`score`, from per-record features the caller already holds."""
        out: list[float] = []
        for a, b in window_slices(len(feats), self.max_window):
            out.extend(self._logits(feats[a:b], history, judge).sigmoid().tolist())
        return out

    def score_and_copies(self, records: Sequence[Record], history: History | None, *,
                         judge: bool = False) -> tuple[list[float], list[bool]]:
        """:meth:`score`, and per record whether ``history`` holds its exact content or a near copy
        (:func:`node.attention.features.history_copies`) or a replay of it (the same shape, every
        number in the same bin of about 0.5% of its value, on either of two grids: :func:`node.attention.history.replay_digests`),
        from the same feature assembly."""
        feats = [self.cache.get(r) for r in records]
        hist = history if history is not None and len(history) else None
        scores: list[float] = []
        copies: list[bool] = []
        for a, b in window_slices(len(feats), self.max_window):
            w = assemble_window(feats[a:b], hist)
            scores.extend(self._run(w, self.judge_forward if judge else self.forward).sigmoid().tolist())
            if hist is None:
                copies.extend([False] * (b - a))
            else:
                # A near_blind record has numbers its near digest does not see: only exact and
                # replay matches (which bin every number) may call it a copy.
                copies.extend((c and not f.near_blind) or hist.has_replay(f)
                              for c, f in zip(history_copies(w), feats[a:b], strict=True))
        return scores, copies

    def history(self, records: Sequence[Record] = (), capacity: int = DEFAULT_CAPACITY) -> History:
        """A :class:`History` of committed ``records`` (canonical order) sharing this scorer's feature cache."""
        return History.from_records(records, capacity, self.cache)

    def _logits(self, feats: Sequence[RecordFeatures], history: History | None = None,
                judge: bool = False) -> torch.Tensor:
        w = assemble_window(feats, history if history is not None and len(history) else None)
        return self._run(w, self.judge_forward if judge else self.forward)

    def _run(self, w: WindowFeatures, forward: Callable[[WindowFeatures], torch.Tensor]) -> torch.Tensor:
        with self._lock, torch.inference_mode():
            if self.device != "cpu":
                w = _to_device(w, self.device)
            logits = forward(w)
        return logits.squeeze(0).to("cpu", torch.float64)

    # -- explanation --------------------------------------------------------------
    def explain(self, records: Sequence[Record], index: int, top_k: int = 5,
                history: History | None = None, *, judge: bool = False) -> dict[str, Any]:
        """Why record ``index`` scored as it did, within its window (and history). JSON-safe.

        Returns ``score``; ``reasons``: structured reasons in the words of the
        importance definition (near/exact duplicate of which record, how many
        MADs a field is from its kind's median, first or later record of a
        burst, priority word in which field, rare kind or value), see
        :func:`node.attention.explain.reasons`; ``attended``: the records of
        its window that drew the most attention (mean over the heads of the
        last layer), with weights; ``features``: the fields whose removal
        would move the score most (occlusion: score with the field minus
        score without it, both within the record's neighbourhood, see
        :meth:`_field_effects`; ``features_context``: how many records that
        is); ``context``: the score minus the score of the
        record scored alone (negative for a duplicate or a burst tail).
        ``judge``: explain the judge's score (a record of a block, as validators scored it).
        """
        n = len(records)
        if not 0 <= index < n:
            raise LocalError(f"index {index} out of range for {n} records")
        hist = history if history is not None and len(history) else None
        a, b = next((a, b) for a, b in window_slices(n, self.max_window) if a <= index < b)
        window = list(records[a:b])
        i = index - a
        feats = [self.cache.get(r) for r in window]
        w = assemble_window(feats, hist)
        with self._lock, torch.inference_mode():
            wd = _to_device(w, self.device) if self.device != "cpu" else w
            net = self.judge if judge and self.judge is not None else self.model
            logits, maps = net(wd, return_attention=True)
        score = float(torch.sigmoid(logits[0, i]))
        attended: list[dict[str, Any]] = []
        if maps:
            weights = maps[-1][0, :, i, :].mean(0).to("cpu")
            for j in torch.argsort(weights, descending=True, stable=True).tolist():
                if j == i:
                    continue
                r = window[j]
                attended.append({"index": a + j, "cid": r.cid, "kind": r.kind,
                                 "weight": round(float(weights[j]), 6)})
                if len(attended) >= top_k:
                    break
            self_weight = round(float(weights[i]), 6)
        else:
            weights = None
            self_weight = 1.0
        rec = window[i]
        features, occluded_in = self._field_effects(window, feats, i, weights, hist, judge)
        features.sort(key=lambda f: -abs(f["weight"]))
        alone = float(torch.sigmoid(self._logits([feats[i]], hist, judge)[0]))
        return {
            "index": index,
            "cid": rec.cid,
            "kind": rec.kind,
            "score": round(score, 6),
            "model_id": self.model_id,
            "weights": "judge" if judge and self.judge is not None else "model",
            "window": [a, b],
            "history_records": len(hist) if hist is not None else 0,
            "reasons": reasons(window, i, w, hist),
            "self_attention": self_weight,
            "attended": attended,
            "features": features[:top_k],
            "features_context": occluded_in,
            "context": round(score - alone, 6),
        }

    def _field_effects(self, window: Sequence[Record], feats: Sequence[RecordFeatures], i: int,
                       weights: torch.Tensor | None, history: History | None,
                       judge: bool) -> tuple[list[dict[str, Any]], int]:
        """Occlusion of the fields of ``window[i]``: its score minus its score without the field.

        Returns the effects, unsorted, and how many records they were scored among. Re-scoring
        the whole window once per field (up to 64) held the model worker, which also scores
        the blocks this node votes on, for ~70 window-scorings (review 7, finding 7). So:

        * both scores are taken within the record's neighbourhood (:func:`explain.neighbourhood`:
          itself and the records it attends to most, at most ``OCCLUSION_NEIGHBOURHOOD``; a
          window that small is occluded whole, as before), every variant in one batched forward;
        * a record of at most ``OCCLUSION_FIELDS + OCCLUSION_GROUPS`` (16) fields has each one
          occluded, as before. One with more is screened first: its fields, in record order,
          are cut into ``OCCLUSION_GROUPS`` groups, each group is occluded at once, and the
          first ``OCCLUSION_FIELDS`` fields of the groups that moved the score most are
          occluded one by one. The others are not reported.
        """
        near = neighbourhood(len(window), i, weights, OCCLUSION_NEIGHBOURHOOD)
        k = near.index(i)
        sub = [feats[j] for j in near]
        base = assemble_window(sub, history)
        keys = [key for key, _ in window[i].items]
        candidates = keys
        # Screening costs OCCLUSION_GROUPS variants more: worth it only past that many fields.
        if len(keys) > OCCLUSION_FIELDS + OCCLUSION_GROUPS:
            groups = [keys[a:b] for a, b in window_slices(len(keys), math.ceil(len(keys) / OCCLUSION_GROUPS))]
            screened = sorted(self._occlude(window[i], sub, k, base, groups, history, judge),
                              key=lambda ge: -abs(ge[1]))
            candidates = [key for g, _ in screened for key in g][:OCCLUSION_FIELDS]
        effects = self._occlude(window[i], sub, k, base, [[key] for key in candidates], history, judge)
        return [{"name": f"field:{g[0]}", "weight": round(e, 6)} for g, e in effects], len(near)

    def _occlude(self, rec: Record, sub: list[RecordFeatures], k: int, base: WindowFeatures,
                 groups: list[list[str]], history: History | None,
                 judge: bool) -> list[tuple[list[str], float]]:
        """For each group of field names: the score of ``sub[k]`` (= ``rec``) minus its score without them."""
        kept: list[list[str]] = []
        variants = [base]
        for group in groups:
            drop = set(group)
            try:
                alt = Record.create(rec.kind, rec.origin, rec.ts_ms, {f: v for f, v in rec.items if f not in drop})
            except Exception:  # a record reduced to nothing valid: skip that group
                continue
            kept.append(group)
            variants.append(assemble_window([*sub[:k], featurize_record(alt), *sub[k + 1:]], history))
        if not kept:
            return []
        net = self.judge if judge and self.judge is not None else self.model
        with self._lock, torch.inference_mode():
            batch = stack_windows(variants)
            logits = net(_to_device(batch, self.device) if self.device != "cpu" else batch)
        scores = torch.sigmoid(logits[:, k].to("cpu", torch.float64)).tolist()
        return [(g, scores[0] - s) for g, s in zip(kept, scores[1:], strict=True)]


def _to_device(w: Any, device: str) -> Any:
    return type(w)(*(getattr(w, f).to(device, non_blocking=True) for f in type(w).__slots__))


def default_checkpoint_path() -> Path:
    """Path of the checkpoint shipped inside the package."""
    return Path(str(resources.files("node.attention").joinpath(DEFAULT_CHECKPOINT)))


def load_scorer(path: str | None = None, device: str | None = None, threads: int = SCORING_THREADS) -> Scorer:
    """Load a checkpoint (default: the one shipped in the package) onto ``device``.

    ``device`` defaults to CUDA when present, else the CPU. On CUDA, TF32 is
    turned off so that GPU scores stay within 1e-4 of CPU scores. The torch
    thread count is pinned (process-wide) so that float reductions, and hence
    scores, do not depend on the caller's thread. glibc is told to recycle large
    blocks (see :mod:`node.attention.alloc`): it halves the time per window.
    """
    p = Path(path) if path is not None else default_checkpoint_path()
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LocalError(f"cannot read model checkpoint {p}: {exc.strerror}") from None
    model, obj = load_checkpoint(data)
    recycle_large_allocations()
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    if threads and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return Scorer(model, cid_of(data), device, int(obj.get("max_window", 1024)), obj.get("meta"), load_judge(obj))
