"""training/build_all.py calls the stages as functions, with the options it was given."""

from __future__ import annotations

from pathlib import Path

from training import build_all, build_data, calibrate, evaluate, model_files, train
from training.train import TrainConfig


def record_stages(monkeypatch, tmp_path) -> list:
    calls: list = []
    monkeypatch.setattr(build_all, "source_commit", lambda: "abc")
    monkeypatch.setattr(build_data, "build", lambda *a, **k: calls.append(("data", a, k)) or 7)
    monkeypatch.setattr(
        train, "run", lambda config: calls.append(("train", config)) or config.out.parent / "m.pth"
    )
    monkeypatch.setattr(
        calibrate, "run", lambda path, out, cap: calls.append(("calibrate", path, out, cap)) or {}
    )
    monkeypatch.setattr(model_files, "training_info", lambda path: {"from": str(path)})
    monkeypatch.setattr(
        model_files, "add_provenance", lambda path, info: calls.append(("provenance", path, info))
    )
    monkeypatch.setattr(evaluate, "run", lambda **k: calls.append(("evaluate", k)) or {})
    return calls


def test_the_defaults_build_train_two_cycles_calibrate_and_evaluate(monkeypatch, tmp_path):
    calls = record_stages(monkeypatch, tmp_path)
    build_all.main([])
    first = build_all.FIRST_CYCLE.parent / "m.pth"  # what the recorded first cycle returned
    model = TrainConfig.out.parent / "m.pth"
    assert calls[0] == ("data", (build_data.CLIPS, 2), {"limit_batches": None})
    assert calls[1] == (
        "train",
        TrainConfig(steps=3200, threads=2, negative_share=0.06, out=build_all.FIRST_CYCLE),
    )
    assert calls[2] == (
        "train",
        TrainConfig(
            steps=1000,
            lr=5e-4,
            threads=2,
            negative_share=0.06,
            close_weight=2.5,
            init=first,
            state=build_all.SECOND_STATE,
        ),
    )
    assert calls[3] == ("calibrate", model, model, calibrate.CAP)
    assert calls[4][:2] == ("provenance", model)
    build = calls[4][2]["build"]
    assert build["command"] == "python -m training.build_all" and build["batches_built"] == 7
    assert build["source_commit"] == "abc"
    assert build["first_cycle"] == {"from": str(build_all.FIRST_CYCLE)}
    assert calls[5] == ("evaluate", {"json_path": build_all.REPORT})


def test_fine_tuning_options_reach_the_stages(monkeypatch, tmp_path):
    calls = record_stages(monkeypatch, tmp_path)
    argv = "--workers 1 --threads 1 --negative-share 0 --limit-batches 56 --init v1.pth"
    argv += " --lr 5e-4 --steps 850 --clips 60"
    build_all.main([*argv.split(), "--second-steps", "0", "--cap", "2.5"])
    assert calls[0] == ("data", (60, 1), {"limit_batches": 56})
    assert calls[1] == ("train", TrainConfig(steps=850, init=Path("v1.pth"), lr=5e-4, threads=1))
    model = TrainConfig.out.parent / "m.pth"
    assert calls[2] == ("calibrate", model, model, 2.5)
    build = calls[3][2]["build"]
    assert build["command"].startswith("python -m training.build_all " + argv)
    assert "first_cycle" not in build
