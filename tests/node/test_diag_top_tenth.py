"""scripts/diag_top_tenth.py: who fills the top tenth, and how far the routine intruders' numbers sit."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import diag_top_tenth as diag  # noqa: E402
import torch  # noqa: E402


def test_the_truth_has_no_intruders_beyond_its_own_routine_and_an_inverted_ranking_is_all_routine() -> None:
    truth = diag.family_report("clinic", 1, lambda w, _i: w.target.tolist())
    assert truth["model_top_tenth"] == truth["truth_top_tenth"]
    assert truth["routine_intruders"]["n"] == truth["truth_top_tenth"].get("normal", 0)
    inverted = diag.family_report("clinic", 1, lambda w, _i: (-w.target).tolist())
    top = inverted["model_top_tenth"]
    # the bottom of the truth: copies, tails and routine records, never news
    assert not {"anomaly", "priority", "rare kind", "burst head"} & set(top)
    assert inverted["all_routine"] == truth["all_routine"]


def test_far_slots_read_the_featurizers_z() -> None:
    windows = diag.family_windows("clinic", 1, 3, 256)
    w = windows[0]
    far = diag.far_slots(w.feats)[0].any(dim=1).tolist()
    zw = (w.feats.num[:, :, diag._ZW] * diag._Z_UNIT).abs() * (w.feats.num_mask > 0.5)
    assert far == (zw >= diag.FAR).any(dim=1).tolist()
    assert any(far)
    assert not all(far)


def test_the_ablation_zeroes_only_the_far_slots_of_routine_records() -> None:
    w = diag.family_windows("clinic", 1, 3, 256)[0]
    feats, touched = diag.zero_far_routine(w)
    assert touched
    zw = (w.feats.num[:, :, diag._ZW] * diag._Z_UNIT).abs() * (w.feats.num_mask > 0.5)
    for j in range(len(w)):
        if j in touched:
            far = zw[j] >= diag.FAR
            assert bool((feats.num[j, far, 0:4] == 0).all())
            assert bool((feats.num[j, ~far] == w.feats.num[j, ~far]).all())
        else:
            assert bool((feats.num[j] == w.feats.num[j]).all())
            assert bool((feats.ctx[j] == w.feats.ctx[j]).all())
    assert all(diag.table_case(w.cases[j], w.details[j] if w.details else "") == "normal" for j in touched)


def test_each_probe_moves_one_input_of_the_intruders_only() -> None:
    w = diag.family_windows("clinic", 1, 3, 256)[0]
    routine = [j for j in range(len(w)) if diag.table_case(w.cases[j], w.details[j] if w.details else "") == "normal"]
    intruders, others = routine[:5], [j for j in range(len(w)) if j not in routine[:5]]
    probes = diag.probes(w, intruders, routine)
    assert [name for name, _ in probes] == [f"ctx: {n}" for n in diag.CTX_NAMES] + [diag.PROBE_Z]
    med = w.feats.ctx[routine].median(dim=0).values
    for i, (_, feats) in enumerate(probes[:-1]):
        changed = (feats.ctx != w.feats.ctx).nonzero().tolist()
        assert all(c == i and r in intruders for r, c in changed)
        assert bool((feats.ctx[intruders, i] == med[i]).all())
        assert bool((feats.num == w.feats.num).all())
    z = probes[-1][1]
    assert bool((z.num[intruders][:, :, diag._Z_SLOTS] == 0).all())
    keep = [k for k in range(z.num.shape[2]) if k not in diag._Z_SLOTS]
    assert bool((z.num[intruders][:, :, keep] == w.feats.num[intruders][:, :, keep]).all())
    assert bool((z.num[others] == w.feats.num[others]).all())


def test_the_probe_report_counts_only_intruders_that_leave() -> None:
    def by_truth(feats: diag.WindowFeatures) -> torch.Tensor:
        # a "model" that reads max |z| in the window only: moving that input must move the intruders
        return feats.ctx[:, diag.CTX_NAMES.index("max_|z|_window")].unsqueeze(0)

    rep = diag.probe_report("clinic", 1, by_truth)
    n = rep["intruders"]["far"] + rep["intruders"]["not_far"]
    assert n > 0
    for g in ("far", "not_far"):
        moved = {k: v for k, v in rep["leave"][g].items() if v}
        assert set(moved) <= {"ctx: max_|z|_window"}
        assert all(v <= rep["intruders"][g] for v in moved.values())
    assert rep["leave"]["far"]["ctx: max_|z|_window"] > 0
