"""scripts/probe_wide_record.py: the wide record's hot reading beside crafted records, per network."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import probe_wide_record as probe  # noqa: E402

from node.attention.scorer import default_checkpoint_path  # noqa: E402
from tests.node.test_wide_records import _stream  # noqa: E402


def test_every_row_scores_the_hot_reading_and_only_crafted_rows_have_a_crafted_score() -> None:
    rep = probe.probe(str(default_checkpoint_path()))
    ens = rep["networks"]["ensemble"]
    assert set(rep["networks"]) == {"ensemble", "member 0", "member 1", "member 2"}
    assert {"alone", "as the test (136 s late, 8 x 99)", "dressed: alone",
            "dressed: as the test (136 s late, 8 x 99)"} <= set(ens)
    for name, row in ens.items():
        assert 0.0 <= row["hot"] <= 1.0
        assert 0.0 <= row["median"] <= 1.0
        if row["rank"] < 31:  # in the top half of 64: at or above the median of the honest scores
            assert row["median"] <= row["hot"], name
        assert 0 <= row["rank"] < 64
        assert (row["crafted"] is None) == name.endswith("alone"), name
    # the shipped ensemble's own bound in the bare window (tests/node/test_wide_records.py)
    assert ens["alone"]["rank"] == 0
    assert ens["as the test (136 s late, 8 x 99)"]["rank"] <= 1


def test_the_dressed_window_keeps_the_tests_numbers_and_adds_two_strings() -> None:
    honest = _stream()
    worn = probe.dressed(honest)
    assert len(worn) == len(honest)
    for a, b in zip(honest, worn, strict=True):
        assert (a.kind, a.origin, a.ts_ms) == (b.kind, b.origin, b.ts_ms)
        assert {**a.fields, "rack_id": b.fields["rack_id"], "mode": b.fields["mode"]} == b.fields
    assert len({r.fields["rack_id"] for r in worn}) == 20
