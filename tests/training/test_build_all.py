"""training/build_all.py calls the stages as functions, with the options it was given."""

from __future__ import annotations

from pathlib import Path

from training import build_all, build_data, evaluate, model_files, train
from training.train import TrainConfig


def record_stages(monkeypatch, tmp_path) -> list:
    calls: list = []
    model = tmp_path / "model.pth"
    monkeypatch.setattr(build_all, "source_commit", lambda: "abc")
    monkeypatch.setattr(build_data, "build", lambda *a, **k: calls.append(("data", a, k)) or 7)
    monkeypatch.setattr(train, "run", lambda config: calls.append(("train", config)) or model)
    monkeypatch.setattr(
        model_files, "add_provenance", lambda path, info: calls.append(("provenance", path, info))
    )
    monkeypatch.setattr(evaluate, "run", lambda **k: calls.append(("evaluate", k)) or {})
    return calls


def test_the_defaults_build_train_and_evaluate_the_shipped_configuration(monkeypatch, tmp_path):
    calls = record_stages(monkeypatch, tmp_path)
    build_all.main([])
    assert calls[0] == ("data", (build_data.CLIPS, 2), {"limit_batches": None})
    assert calls[1] == ("train", TrainConfig())
    assert calls[2][:2] == ("provenance", tmp_path / "model.pth")
    build = calls[2][2]["build"]
    assert build["command"] == "python -m training.build_all" and build["batches_built"] == 7
    assert build["source_commit"] == "abc"
    assert calls[3] == ("evaluate", {"json_path": build_all.REPORT})


def test_fine_tuning_options_reach_the_stages(monkeypatch, tmp_path):
    calls = record_stages(monkeypatch, tmp_path)
    argv = "--workers 1 --limit-batches 56 --init v1.pth --lr 5e-4 --steps 850 --clips 60"
    build_all.main(argv.split())
    assert calls[0] == ("data", (60, 1), {"limit_batches": 56})
    assert calls[1] == ("train", TrainConfig(steps=850, init=Path("v1.pth"), lr=5e-4))
    assert calls[2][2]["build"]["command"] == "python -m training.build_all " + argv
