"""The importance network: a Transformer encoder over a window of record tokens.

Plain self-attention barely beats a per-record MLP on this task; what lets a
record find its duplicates and its burst is a *pairwise attention bias*.
:func:`pair_features` computes, for every pair (i attends to j), channels
that carry no names or scales (:data:`PAIR_CHANNELS`): token-bag similarity,
numeric closeness in signed-log space and in robust spreads of the field,
exact and near-duplicate digest equality, same kind, same origin, "earlier",
time distance in units of the window's mean gap, and their products ("near
copy, earlier", "same kind and origin just before, and similar"). A linear
map turns them into one additive bias per layer and head, and the same
channels, weighted by attention, are read back into each record
(relation-aware values).

The token embedding reads only the featurizer's relational inputs (context
vector and per-slot statistics, see features.py): no embedding of hashed
kinds or field names, so nothing ties the model to a schema it was trained on.

``ModelConfig(attention=False)`` gives the baseline the issue asks for: the
same token embedding and depth, with residual per-record MLP blocks instead
of attention. ``pair_bias=False`` keeps attention but drops the bias, to
measure what the bias buys.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from node.attention.features import CTX_DIM, NUM_FEATS, WindowFeatures

__all__ = ["PAIR_CHANNELS", "EnsembleNet", "ImportanceNet", "ModelConfig", "networks", "pair_features", "stack_windows"]

PAIR_CHANNELS = (
    "similarity", "num_close_fine", "num_close_coarse", "num_close_spread", "exact_dup", "near_digest",
    "same_kind", "same_origin", "earlier", "self", "dt_short", "dt_long", "near_dup", "near_dup_earlier",
    "exact_dup_earlier", "burst_earlier", "burst_similar_earlier",
)


# exp() of arguments below about -87 lands in float32 denormals or underflow,
# where this CPU's vector exp falls back to a path 15x slower; e^-30 is zero
# for every purpose here.
_EXP_FLOOR = -30.0


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Architecture hyper-parameters; saved in the checkpoint next to the weights."""

    d_model: int = 64
    heads: int = 4
    layers: int = 2
    ff: int = 128
    attention: bool = True
    pair_bias: bool = True
    rel_values: bool = True  # pair channels also enter the attention output (needs pair_bias)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        """The config a checkpoint names. An option this code does not know is refused (ValueError), not
        dropped: session 51's trial P wrote ``causal`` into its config, and a tree without that option
        would have scored the same weights, under the same model id, without the mask."""
        if not isinstance(d, dict):
            raise ValueError("the model config is not a mapping")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in d if k not in known)
        if unknown:
            raise ValueError(f"the model config names options this code does not know: {', '.join(unknown)}")
        return cls(**d)


def stack_windows(ws: list[WindowFeatures]) -> WindowFeatures:
    """Stack equal-length windows along a new leading batch dimension."""
    return WindowFeatures(*(torch.stack([getattr(w, f) for w in ws]) for f in WindowFeatures.__slots__))


def _batched(w: WindowFeatures) -> WindowFeatures:
    return w if w.cat.dim() == 3 else stack_windows([w])


def pair_features(w: WindowFeatures) -> torch.Tensor:
    """[len(PAIR_CHANNELS), B, n, n] pairwise channels; row i is the attending record.

    Channels outermost, so that each channel is one contiguous block and the
    bias projection runs as a single 1x1 convolution over all pairs. Every
    channel is free of names and scales: similarity of hashed token bags,
    numbers compared in signed-log space (relative) and in robust spreads of
    their field, digest equality, and time in units of the window's mean gap.
    """
    b, n, _ = w.cat.shape
    # One buffer, every channel written in place (a fresh allocation per op cost more than the arithmetic).
    buf = torch.empty(len(PAIR_CHANNELS), b, n, n, dtype=w.cat.dtype, device=w.cat.device)
    (cos, fine, coarse, spread, exact, near_d, same_kind, same_origin, earlier, eye, dt_s, dt_l,
     near, near_earlier, exact_earlier, burst, burst_similar) = buf.unbind(0)
    torch.bmm(w.cat, w.cat.transpose(1, 2), out=cos)
    torch.eq(w.kind.unsqueeze(2), w.kind.unsqueeze(1), out=same_kind)
    torch.eq(w.origin.unsqueeze(2), w.origin.unsqueeze(1), out=same_origin)
    torch.lt(w.order.unsqueeze(1), w.order.unsqueeze(2), out=earlier)
    eye.zero_().diagonal(dim1=1, dim2=2).fill_(1.0)
    torch.eq(w.content.unsqueeze(2), w.content.unsqueeze(1), out=exact).sub_(eye)
    torch.eq(w.near.unsqueeze(2), w.near.unsqueeze(1), out=near_d).sub_(eye).mul_(same_kind)
    # Numbers slot by slot: records of one kind share a schema, so slot s holds
    # the same field in both; only meaningful within a kind, hence the gate.
    k = w.num_mask.sum(-1).clamp_min(1.0).sqrt().unsqueeze(-1)
    vals = w.slog * w.num_mask
    dist = torch.cdist(vals, vals, compute_mode="donot_use_mm_for_euclid_dist").div_(k)
    torch.mul(dist, -1.0 / 0.01, out=fine).clamp_(min=_EXP_FLOOR).exp_().mul_(same_kind)
    torch.mul(dist, -1.0 / 0.1, out=coarse).clamp_(min=_EXP_FLOOR).exp_().mul_(same_kind)
    units = w.unit.clamp(-50.0, 50.0) * w.num_mask
    du = torch.cdist(units, units, compute_mode="donot_use_mm_for_euclid_dist").div_(k)
    torch.mul(du, -1.0 / 0.3, out=spread).clamp_(min=_EXP_FLOOR).exp_().mul_(same_kind)
    dt = dist  # reuse the buffer
    torch.sub(w.t.unsqueeze(2), w.t.unsqueeze(1), out=dt).abs_()
    g = w.gap.reshape(b, 1, 1)
    torch.div(dt, g * -2.0, out=dt_s).clamp_(min=_EXP_FLOOR).exp_()
    torch.div(dt, g * -20.0, out=dt_l).clamp_(min=_EXP_FLOOR).exp_()
    torch.mul(dt_s, same_kind, out=burst).mul_(same_origin).mul_(earlier)
    pos = cos.clamp_min(0.0)
    torch.mul(pos, spread, out=near).sub_(eye).clamp_(min=0.0)
    torch.maximum(near, near_d, out=near)
    torch.mul(near, earlier, out=near_earlier)
    torch.mul(exact, earlier, out=exact_earlier)
    torch.mul(burst, pos, out=burst_similar).mul_(coarse)
    return buf


class _AttentionLayer(nn.Module):
    def __init__(self, d: int, heads: int, ff: int, rel_values: bool) -> None:
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))
        self.rel = nn.Linear(heads * len(PAIR_CHANNELS), d, bias=False) if rel_values else None

    def forward(self, x: torch.Tensor, bias: torch.Tensor | None,
                pairs: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        b, n, d = x.shape
        h = self.heads
        dh = d // h
        q, k, v = self.qkv(self.ln1(x)).view(b, n, 3, h, dh).permute(2, 0, 3, 1, 4)
        q, k = q.reshape(b * h, n, dh), k.reshape(b * h, n, dh)
        if bias is None:
            scores = torch.bmm(q, k.transpose(1, 2)).mul_(1.0 / math.sqrt(dh))
        else:
            # One pass over the n^2 scores: the bias add is fused into the matmul.
            scores = torch.baddbmm(bias.reshape(b * h, n, n), q, k.transpose(1, 2), alpha=1.0 / math.sqrt(dh))
        attn = torch.softmax(scores, dim=-1).view(b, h, n, n)
        y = (attn @ v).transpose(1, 2).reshape(b, n, d)
        x = x + self.out(y)
        if pairs is not None and self.rel is not None:
            # Relation-aware values: what each head attended to, described by
            # the pair channels (sum_j a_ij * ch_c(i, j)). Without this a
            # record that attends to its exact copy reads back its own content
            # and cannot tell "I have a duplicate" from "I attend to myself".
            rel = torch.bmm(attn.permute(0, 2, 1, 3).reshape(b * n, h, n), pairs)
            x = x + self.rel(rel.view(b, n, -1))
        x = x + self.ff(self.ln2(x))
        return x, attn


class _MLPLayer(nn.Module):
    def __init__(self, d: int, ff: int) -> None:
        super().__init__()
        self.ln = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.ff(self.ln(x))


class ImportanceNet(nn.Module):
    """Token embedding, encoder (attention or per-record MLP), importance head (logits)."""

    def __init__(self, cfg: ModelConfig | None = None) -> None:
        super().__init__()
        cfg = cfg or ModelConfig()
        self.cfg = cfg
        d = cfg.d_model
        # No embedding of names (hashed kinds or field names): what the
        # network reads is relational and scale-free (see features.py), so it
        # cannot memorize a schema. Numeric slots share one projection.
        self.num_proj = nn.Sequential(nn.Linear(NUM_FEATS, d), nn.GELU(), nn.Linear(d, d))
        self.ctx_proj = nn.Sequential(nn.Linear(CTX_DIM, 2 * d), nn.GELU(), nn.Linear(2 * d, d))
        self.in_norm = nn.LayerNorm(d)
        if cfg.attention:
            self.layers = nn.ModuleList(_AttentionLayer(d, cfg.heads, cfg.ff, cfg.pair_bias and cfg.rel_values)
                for _ in range(cfg.layers))
            if cfg.pair_bias:
                # Linear in the channels: the useful conjunctions are channels
                # already, and a hidden layer over n^2 pairs cost 4x the time.
                self.pair_proj = nn.Linear(len(PAIR_CHANNELS), cfg.layers * cfg.heads)
        else:
            self.layers = nn.ModuleList(_MLPLayer(d, cfg.ff) for _ in range(cfg.layers))
        self.head_norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 1)

    def embed(self, w: WindowFeatures) -> torch.Tensor:
        slots = self.num_proj(w.num) * w.num_mask.unsqueeze(-1)
        pooled = slots.sum(-2) / w.num_mask.sum(-1, keepdim=True).clamp_min(1.0)
        return self.in_norm(pooled + self.ctx_proj(w.ctx))

    def pair_bias(self, p: torch.Tensor) -> torch.Tensor:
        """[L, B, H, n, n] additive attention bias from pair channels [C, B, n, n]."""
        c, b, n, _ = p.shape
        # A 1x1 convolution over all pairs of all windows at once: measured
        # 2-10x faster than the equivalent matmul here, and copies nothing.
        if torch.is_grad_enabled():
            # Training: the weight gradient of a 1x1 convolution is 3x slower than this matmul's.
            out = torch.addmm(self.pair_proj.bias.unsqueeze(1), self.pair_proj.weight, p.view(c, b * n * n))
        else:
            out = F.conv1d(p.view(1, c, b * n * n), self.pair_proj.weight.unsqueeze(-1), self.pair_proj.bias)
        return out.view(self.cfg.layers, self.cfg.heads, b, n, n).transpose(1, 2)

    def forward(self, w: WindowFeatures, return_attention: bool = False) -> Any:
        """Logits [B, n] (sigmoid gives the score); with attention maps [B, H, n, n] per layer."""
        w = _batched(w)
        x = self.embed(w)
        maps: list[torch.Tensor] = []
        if self.cfg.attention:
            bias = pairs = None
            if self.cfg.pair_bias:
                p = pair_features(w)
                bias = self.pair_bias(p)
                c, b, n, _ = p.shape
                if self.cfg.rel_values:
                    pairs = p.permute(1, 2, 3, 0).reshape(b * n, n, c)  # [B*n_i, n_j, C]
            for i, layer in enumerate(self.layers):
                x, attn = layer(x, None if bias is None else bias[i], pairs)
                maps.append(attn)
        else:
            for layer in self.layers:
                x = layer(x)
        logits = self.head(self.head_norm(x)).squeeze(-1)
        return (logits, maps) if return_attention else logits


class EnsembleNet(nn.Module):
    """Several stage-1 networks of one architecture, trained with different seeds, ranking together:
    the logit of a record is the mean of the members' logits.

    Why: on records of families nobody trained on, two seeds of the same recipe disagree on the
    ranks of forms they cannot read (a priority code, an SLA in minutes); the mean of their logits
    ranks those records more steadily than either seed alone (docs/attention.md, "Session 38").
    Every member reads the same features and pair channels, so the fast path computes those once.
    """

    def __init__(self, members: list[ImportanceNet]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        cfg = members[0].cfg
        if any(m.cfg != cfg for m in members):
            raise ValueError("every member of an ensemble must have the same architecture")
        self.cfg = cfg
        self.members = nn.ModuleList(members)

    def forward(self, w: WindowFeatures, return_attention: bool = False) -> Any:
        """Mean logits [B, n]; with attention, each layer's maps averaged over the members."""
        if not return_attention:
            return torch.stack([m(w) for m in self.members]).mean(0)
        outs = [m(w, return_attention=True) for m in self.members]
        logits = torch.stack([o[0] for o in outs]).mean(0)
        maps = [torch.stack(layer).mean(0) for layer in zip(*(o[1] for o in outs), strict=True)]
        return logits, maps


def networks(model: ImportanceNet | EnsembleNet) -> list[ImportanceNet]:
    """The networks whose logits ``model`` averages: an ensemble's members, or the network itself."""
    return list(model.members) if isinstance(model, EnsembleNet) else [model]  # type: ignore[arg-type]
