"""scripts/diag_top_tenth.py: who fills the top tenth, and how far the routine intruders' numbers sit."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import diag_top_tenth as diag  # noqa: E402


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
