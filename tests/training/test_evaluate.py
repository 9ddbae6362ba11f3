"""training/evaluate.py: the report of a model, part by part."""

from __future__ import annotations

import json

from training import evaluate


def test_evaluate_reports_the_held_out_voices(tmp_path, tiny_corpus, capsys, fixtures_dir):
    model = fixtures_dir / "tiny_v01a.pth"
    report = evaluate.run(model, tmp_path / "r.json", skip=("clips", "human", "speed"))
    assert set(report) == {"model", "parameters", "heldout"}
    assert report["heldout"]["v"]["clips"] == 4 and "JawOpen" in report["heldout"]["v"]["r"]
    assert json.loads((tmp_path / "r.json").read_text())["model"] == str(model)
    assert "held-out voice v: 4 clips" in capsys.readouterr().out
