"""training/evaluate.py: the report of a model, part by part."""

from __future__ import annotations

import json

from training import evaluate


def test_evaluate_reports_the_held_out_voices(tmp_path, tiny_corpus, capsys, fixtures_dir):
    model = fixtures_dir / "tiny_v01a.pth"
    report = evaluate.run(model, tmp_path / "r.json", skip=("clips", "human", "drift", "speed"))
    assert set(report) == {"model", "parameters", "heldout"}
    assert report["heldout"]["v"]["clips"] == 4 and "JawOpen" in report["heldout"]["v"]["r"]
    assert json.loads((tmp_path / "r.json").read_text())["model"] == str(model)
    assert "held-out voice v: 4 clips" in capsys.readouterr().out


def test_evaluate_without_the_shared_clips_skips_them_and_says_so(
    tmp_path, tiny_corpus, capsys, fixtures_dir, monkeypatch
):
    monkeypatch.setattr(evaluate, "CLIPS", tmp_path / "nowhere" / "neurosync-clips")
    report = evaluate.run(fixtures_dir / "tiny_v01a.pth", skip=("human", "drift"))
    assert set(report) == {"model", "parameters", "heldout", "missing"}
    out = capsys.readouterr().out
    assert "no NeuroSync clips at" in out and "NEUROSYNC_SHARED" in out
