"""Inference-only forward pass of :class:`ImportanceNet`: the same math, rearranged for speed.

Why
---
At a window of 512 the model's forward costs about 45 us per record, the
largest single item of a node's intake (docs/throughput.md). Most of it is the
17 pair channels of :func:`node.attention.model.pair_features`: each is an
n x n float matrix, written, then read back by the bias projection and twice
by the relation-aware values. Twelve of the seventeen are zero for every pair
of records of *different kinds* (they are gated by ``same_kind``, directly or
through a gated factor), so on a window of k kinds about n^2 / k pairs carry
them. The model is permutation-equivariant, so this module runs it on the
window's records grouped by kind (and puts the logits back in order): the
same-kind pairs are then the diagonal blocks of every n x n matrix. The twelve
gated channels are computed only inside those blocks (one [count, count] block
per kind, laid end to end), the five dense ones (similarity, same origin,
earlier, the two time distances) as n x n matrices:

* the bias of every layer and head is a GEMM over the five dense channels,
  plus a GEMM over the twelve block channels added onto each kind's block;
  ``pair_proj``'s constant term is left out (one constant per row of scores,
  which softmax cancels exactly);
* the relation-aware values are a batched GEMM over the five dense channels
  plus one small GEMM per kind over its block;
* the similarity channel (a bag of about 11 hashed tokens per record in 256
  buckets) is a sparse x dense product; the embedding projects only the
  numeric slots a record fills.

An ensemble (:class:`node.attention.model.EnsembleNet`, several networks whose
logits are averaged) computes the channels once, the members' common input,
and runs its members one after another on them. Stacking the members' weights
so that every GEMM runs once for all of them was tried (session 38) and left:
at 256 records 2% faster, at 512 7% slower.

Every channel value is computed by the same elementwise expressions as
``pair_features`` (same constants, same order of operations); what differs is
only the order of float sums in the GEMMs, so logits agree with
``model.forward`` to about 1e-6 (tests/node/test_fastpath.py checks 1e-5 on
every shipped checkpoint and on fresh models).

When it does not apply
----------------------
:func:`fast_forward_for` returns ``None`` (use ``model.forward``) unless the
model is an :class:`ImportanceNet` (or an ensemble of them) whose config has attention, pair bias and
relation-aware values, and whose pair channels are exactly the ones this
module knows (:data:`KNOWN_CHANNELS`): a new channel or architecture falls back
rather than being guessed. Per call it falls back to ``model.forward`` for a
batch of several windows, and when the same-kind pairs are too large a share
of the window for the sparse form to pay, or two records of different kinds
share a content digest (``exact`` would then not be kind-gated). And as a
guard against model.py changing its math under the same config, the first
window it groups also runs through ``model.forward``: beyond ``VERIFY_TOL``
the object logs a warning and uses ``model.forward`` from then on (every node
runs the same code, so every node makes the same choice).

No autograd (callers run it under ``torch.inference_mode``); it reads the
module's own parameters at every call, so loading a state dict is seen.
"""

from __future__ import annotations

import logging
import math
import warnings

import torch

from node.attention.features import WindowFeatures
from node.attention.model import (
    _EXP_FLOOR,
    PAIR_CHANNELS,
    EnsembleNet,
    ImportanceNet,
    _AttentionLayer,
    networks,
)

# torch warns once per process that sparse CSR support is "in beta"; the one operation used
# here (CSR x dense, CPU) is covered by tests/node/test_fastpath.py. A filter set once, not
# warnings.catch_warnings() per call, which is not thread-safe.
warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta", category=UserWarning)

log = logging.getLogger("attnshare.fastpath")

__all__ = ["DENSE_CHANNELS", "KNOWN_CHANNELS", "MAX_PAIR_SHARE", "MAX_KINDS", "MIN_RECORDS", "FastForward", "fast_forward_for"]

# The channels this module reproduces, in model.py's order; any other tuple falls back.
KNOWN_CHANNELS = (
    "similarity", "num_close_fine", "num_close_coarse", "num_close_spread", "exact_dup", "near_digest",
    "same_kind", "same_origin", "earlier", "self", "dt_short", "dt_long", "near_dup", "near_dup_earlier",
    "exact_dup_earlier", "burst_earlier", "burst_similar_earlier",
)
# Channels that may be non-zero between records of different kinds.
DENSE_CHANNELS = ("similarity", "same_origin", "earlier", "dt_short", "dt_long")
# The other twelve, in the order :func:`_block_channels` stacks them.
_SPARSE_ORDER = ("num_close_fine", "num_close_coarse", "num_close_spread", "exact_dup", "near_digest",
                 "same_kind", "self", "near_dup", "near_dup_earlier", "exact_dup_earlier", "burst_earlier",
                 "burst_similar_earlier")
_DENSE_IDX = [KNOWN_CHANNELS.index(c) for c in DENSE_CHANNELS]
_SPARSE_IDX = [KNOWN_CHANNELS.index(c) for c in _SPARSE_ORDER]
# When the grouped form runs (else model.forward): enough records for its fixed cost to
# pay, few enough kinds for its per-kind loop, and same-kind pairs (sum over kinds of count^2)
# few next to n^2 (measured: docs/throughput.md).
MIN_RECORDS = 256
MAX_KINDS = 64
MAX_PAIR_SHARE = 0.5
VERIFY_TOL = 1e-4  # logits; the two agree within about 2e-6 (tests/node/test_fastpath.py checks 1e-5)


def fast_forward_for(model: ImportanceNet | EnsembleNet) -> FastForward | None:
    """A :class:`FastForward` for ``model`` if its architecture is the one this module knows."""
    if not supported(model):
        return None
    return FastForward(model)


def _members(model: object) -> list[ImportanceNet]:
    """The networks whose logits the model averages: itself, or an ensemble's members."""
    # The exact types: a subclass may compute something else under the same config.
    return networks(model) if type(model) in (ImportanceNet, EnsembleNet) else []  # type: ignore[arg-type]


def supported(model: object) -> bool:
    """Decided from the config and the module structure, never from the weights."""
    members = _members(model)
    return bool(members) and all(_supported_net(m) for m in members)


def _supported_net(model: ImportanceNet) -> bool:
    cfg = model.cfg
    if not (cfg.attention and cfg.pair_bias and cfg.rel_values) or tuple(PAIR_CHANNELS) != KNOWN_CHANNELS:
        return False
    if cfg.d_model % cfg.heads:
        return False
    return all(type(layer) is _AttentionLayer and layer.rel is not None for layer in model.layers)


class FastForward:
    """Callable like ``model(w)`` for one window (or a batch: then ``model.forward`` itself)."""

    def __init__(self, model: ImportanceNet | EnsembleNet) -> None:
        self.model = model
        self.members = _members(model)
        self.calls = {"blocks": 0, "model": 0}  # which path ran (tests and benchmarks)
        # The first grouped window is also run through model.forward: if they disagree (model.py
        # changed its math under the same config), this object falls back for good.
        self.verified = False
        self.disabled = False

    def __call__(self, w: WindowFeatures) -> torch.Tensor:
        groups = None if w.cat.dim() != 2 or self.disabled else _kind_groups(w.kind, w.content)
        if groups is None:  # a batch of windows (not the scorer's case), or the grouped form does not pay
            self.calls["model"] += 1
            return self.model(w)
        with torch.inference_mode():
            got = self._blocks(w, groups)
            if not self.verified:
                ref = self.model(w)
                gap = float((got - ref).abs().max())
                if not gap <= VERIFY_TOL:
                    self.disabled = True
                    log.warning("fast path disagrees with model.forward by %.3g on its first window: "
                                "using model.forward from now on", gap)
                    self.calls["model"] += 1
                    return ref
                self.verified = True
        self.calls["blocks"] += 1
        return got

    # -- the forward pass, records grouped by kind ---------------------------------------
    def _blocks(self, w: WindowFeatures, groups: _Groups) -> torch.Tensor:
        """Logits [1, n]: the model is permutation-equivariant, so run it on the records grouped by
        kind (same-kind pairs are then diagonal blocks of every n x n matrix) and put them back."""
        n = w.cat.shape[0]
        ws = WindowFeatures(*(getattr(w, f) if f == "gap" else getattr(w, f)[groups.perm]
                              for f in WindowFeatures.__slots__))
        dense = _dense_channels(ws, n)  # [5, n, n]
        blocks = _block_channels(ws, dense, groups, n)  # [12, P]: each kind's block, row-major, one after another
        # The channels are the members' common input: computed once, read by each member.
        logits = self._member(self.members[0], ws, dense, blocks, groups, n)
        for m in self.members[1:]:
            logits += self._member(m, ws, dense, blocks, groups, n)
        if len(self.members) > 1:
            logits /= len(self.members)
        return torch.empty_like(logits).index_copy_(0, groups.perm, logits).unsqueeze(0)

    def _member(self, m: ImportanceNet, ws: WindowFeatures, dense: torch.Tensor, blocks: torch.Tensor,
                groups: _Groups, n: int) -> torch.Tensor:
        """One network's logits [n] on the grouped window."""
        x = _embed(m, ws)  # [n, d]
        weight = m.pair_proj.weight
        # The bias of every layer and head, [L*H, n, n]. pair_proj's constant term is left
        # out: it adds one constant to a whole row of scores, which softmax cancels exactly.
        bias = torch.mm(weight[:, _DENSE_IDX], dense.view(len(DENSE_CHANNELS), n * n)).view(-1, n, n)
        bias_blocks = torch.mm(weight[:, _SPARSE_IDX], blocks)  # [L*H, P]
        for s, c, off in groups.spans:
            bias[:, s:s + c, s:s + c] += bias_blocks[:, off:off + c * c].view(-1, c, c)
        bias = bias.view(m.cfg.layers, m.cfg.heads, n, n)
        dense_nj = dense.permute(1, 2, 0)  # [n_i, n_j, 5], a view
        for li, layer in enumerate(m.layers):
            x = self._layer(layer, x, bias[li], dense_nj, blocks, groups, n)
        return m.head(m.head_norm(x)).squeeze(-1)

    def _layer(self, layer: _AttentionLayer, x: torch.Tensor, bias: torch.Tensor, dense_nj: torch.Tensor,
               blocks: torch.Tensor, groups: _Groups, n: int) -> torch.Tensor:
        h = layer.heads
        d = x.shape[1]
        dh = d // h
        q, k, v = layer.qkv(layer.ln1(x)).view(n, 3, h, dh).permute(1, 2, 0, 3)  # each [h, n, dh]
        # In place: this layer's bias is not read again, and the copy baddbmm makes was 4% of a forward.
        scores = bias.baddbmm_(q, k.transpose(1, 2), alpha=1.0 / math.sqrt(dh))
        attn = torch.softmax(scores, dim=-1)  # [h, n, n]
        y = torch.bmm(attn, v).transpose(0, 1).reshape(n, d)
        x = x + layer.out(y)
        # Relation-aware values, sum_j a_ij * ch_c(i, j): the dense channels by a GEMM per
        # row, the kind-gated ones within each kind's block only.
        c = len(KNOWN_CHANNELS)
        rel = torch.empty(n, h, c)
        rel[:, :, _DENSE_IDX] = torch.bmm(attn.transpose(0, 1), dense_nj)
        rel_s = torch.empty(n, h, len(_SPARSE_ORDER))
        for s, cnt, off in groups.spans:
            torch.bmm(attn[:, s:s + cnt, s:s + cnt].transpose(0, 1),
                      blocks[:, off:off + cnt * cnt].view(-1, cnt, cnt).permute(1, 2, 0),
                      out=rel_s[s:s + cnt])
        rel[:, :, _SPARSE_IDX] = rel_s
        assert layer.rel is not None
        x = x + layer.rel(rel.view(n, h * c))
        return x + layer.ff(layer.ln2(x))


class _Groups:
    """Records grouped by kind: ``perm`` (grouped position -> window index); per kind, its
    (start, count) in grouped order and the offset of its block in the flat pair list; and
    the pair list itself (``ii``, ``jj``: grouped positions, each block row-major)."""

    __slots__ = ("ii", "jj", "perm", "spans")

    def __init__(self, perm: torch.Tensor, counts: torch.Tensor) -> None:
        self.perm = perm
        starts = torch.cumsum(counts, 0) - counts
        sizes = counts * counts
        offsets = torch.cumsum(sizes, 0) - sizes
        self.spans = list(zip(starts.tolist(), counts.tolist(), offsets.tolist(), strict=True))
        # Row p (a grouped position) pairs with its kind's records start..start+count-1.
        row_len = torch.repeat_interleave(counts, counts)
        row_first = torch.cumsum(row_len, 0) - row_len  # where row p begins in the pair list
        row_start = torch.repeat_interleave(starts, counts)
        self.ii = torch.repeat_interleave(torch.arange(row_len.numel()), row_len)
        self.jj = torch.arange(int(sizes.sum())) - torch.repeat_interleave(row_first - row_start, row_len)


def _kind_groups(kind: torch.Tensor, content: torch.Tensor) -> _Groups | None:
    """The grouping, or None where the model's own forward is the one to use."""
    n = kind.numel()
    if n < MIN_RECORDS:
        return None
    _, kinv, counts = torch.unique(kind, return_inverse=True, return_counts=True)
    if counts.numel() > MAX_KINDS or int((counts * counts).sum()) > MAX_PAIR_SHARE * n * n:
        return None
    # ``exact_dup`` compares content digests across all pairs; computing it within kinds
    # needs every equal-content pair to be same-kind (the digest covers the kind, so only
    # a collision could break it; then the model's forward runs).
    by_content = torch.argsort(content)
    cs, ks = content[by_content], kind[by_content]
    if bool(((cs[1:] == cs[:-1]) & (ks[1:] != ks[:-1])).any()):
        return None
    return _Groups(torch.argsort(kinv, stable=True), counts)


def _embed(m: ImportanceNet, w: WindowFeatures) -> torch.Tensor:
    """``m.embed`` for one window, projecting only the numeric slots a record fills (2-3 of 8 on
    the workload); the empty ones are multiplied by 0 there, so the sums are the same."""
    n, slots, feats = w.num.shape
    filled = w.num_mask.reshape(-1).nonzero().squeeze(1)
    proj = m.num_proj(w.num.reshape(n * slots, feats).index_select(0, filled))
    pooled = torch.zeros(n, proj.shape[1]).index_add_(0, filled // slots, proj)
    pooled = pooled / w.num_mask.sum(-1, keepdim=True).clamp_min(1.0)
    return m.in_norm(pooled + m.ctx_proj(w.ctx))


def _batch1(w: WindowFeatures) -> WindowFeatures:
    return WindowFeatures(*(getattr(w, f).unsqueeze(0) for f in WindowFeatures.__slots__))


def _dense_channels(w: WindowFeatures, n: int) -> torch.Tensor:
    """[5, n, n]: similarity, same origin, earlier, dt_short, dt_long (as pair_features computes them)."""
    buf = torch.empty(len(DENSE_CHANNELS), n, n)
    cos, same_origin, earlier, dt_s, dt_l = buf.unbind(0)
    _similarity(w.cat, out=cos)
    torch.eq(w.origin.unsqueeze(1), w.origin.unsqueeze(0), out=same_origin)
    torch.lt(w.order.unsqueeze(0), w.order.unsqueeze(1), out=earlier)
    dt = torch.sub(w.t.unsqueeze(1), w.t.unsqueeze(0)).abs_()
    g = w.gap.reshape(1, 1)
    torch.div(dt, g * -2.0, out=dt_s).clamp_(min=_EXP_FLOOR).exp_()
    torch.div(dt, g * -20.0, out=dt_l).clamp_(min=_EXP_FLOOR).exp_()
    return buf


def _similarity(cat: torch.Tensor, out: torch.Tensor) -> None:
    """cat @ cat.T: each row holds about 11 non-zero buckets of 256, so a sparse x dense product."""
    torch.mm(cat.to_sparse_csr(), cat.t().contiguous(), out=out)


def _block_channels(w: WindowFeatures, dense: torch.Tensor, groups: _Groups, n: int) -> torch.Tensor:
    """[12, P]: the kind-gated channels at the same-kind pairs (:data:`_SPARSE_ORDER`), by the
    same expressions as ``pair_features`` (whose ``same_kind`` factor is 1 here)."""
    ii, jj = groups.ii, groups.jj
    p = ii.numel()
    buf = torch.empty(len(_SPARSE_ORDER), p)
    (fine, coarse, spread, exact, near_d, same_kind, eye, near, near_earlier, exact_earlier, burst,
     burst_similar) = buf.unbind(0)
    # Each kind's block is a diagonal block of the grouped n x n matrices: sliced, not gathered.
    picked = torch.empty(4, p)  # similarity, same origin, earlier, dt_short at the pairs
    for s, c, off in groups.spans:
        picked[:, off:off + c * c].view(4, c, c).copy_(dense[:4, s:s + c, s:s + c])
        rows = slice(s, s + c)
        torch.eq(w.content[rows].unsqueeze(1), w.content[rows].unsqueeze(0), out=exact[off:off + c * c].view(c, c))
        torch.eq(w.near[rows].unsqueeze(1), w.near[rows].unsqueeze(0), out=near_d[off:off + c * c].view(c, c))
    cos, same_origin, earlier, dt_s = picked.unbind(0)
    same_kind.fill_(1.0)
    torch.eq(ii, jj, out=eye)
    exact.sub_(eye)
    near_d.sub_(eye)
    k = w.num_mask.sum(-1).clamp_min(1.0).sqrt().index_select(0, ii)
    vals = w.slog * w.num_mask
    dist = _distance(vals, groups).div_(k)
    torch.mul(dist, -1.0 / 0.01, out=fine).clamp_(min=_EXP_FLOOR).exp_()
    torch.mul(dist, -1.0 / 0.1, out=coarse).clamp_(min=_EXP_FLOOR).exp_()
    units = w.unit.clamp(-50.0, 50.0) * w.num_mask
    du = _distance(units, groups).div_(k)
    torch.mul(du, -1.0 / 0.3, out=spread).clamp_(min=_EXP_FLOOR).exp_()
    torch.mul(dt_s, same_kind, out=burst).mul_(same_origin).mul_(earlier)
    pos = cos.clamp_min(0.0)
    torch.mul(pos, spread, out=near).sub_(eye).clamp_(min=0.0)
    torch.maximum(near, near_d, out=near)
    torch.mul(near, earlier, out=near_earlier)
    torch.mul(exact, earlier, out=exact_earlier)
    torch.mul(burst, pos, out=burst_similar).mul_(coarse)
    return buf


def _distance(v: torch.Tensor, groups: _Groups) -> torch.Tensor:
    """[P] Euclidean distance between the rows of v at each same-kind pair: cdist (the function
    pair_features uses) within each kind, whose [count, count] result is that kind's block."""
    out = torch.empty(groups.ii.numel())
    for s, c, off in groups.spans:
        rows = v[s:s + c]
        out[off:off + c * c].view(c, c).copy_(torch.cdist(rows, rows, compute_mode="donot_use_mm_for_euclid_dist"))
    return out
