"""``neurosync infer`` over many files: outputs, report, exit codes, --jobs, progress, --version."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

NEUROSYNC = Path(sys.executable).parent / "neurosync"


def run(*args, cwd=None):
    return subprocess.run(
        [str(NEUROSYNC), *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd
    )


@pytest.fixture(scope="module")
def tiny(fixtures_dir):
    return fixtures_dir / "tiny_v01a.pth"


@pytest.fixture(scope="module")
def clips(tmp_path_factory, fixtures_dir):
    """A folder of 5 one-second clips cut from the fixture, one of them broken (not audio)."""
    folder = tmp_path_factory.mktemp("clips")
    samples, rate = sf.read(fixtures_dir / "speechlike.wav", dtype="float32")
    for i in range(4):
        sf.write(folder / f"line_{i}.wav", samples[i * rate // 2 : i * rate // 2 + rate], rate)
    (folder / "line_9.wav").write_bytes(b"RIFF this is not a wave file at all" * 10)
    return folder


def test_folder_with_a_broken_clip(clips, tiny, tmp_path):
    out, report = tmp_path / "out", tmp_path / "run.json"
    out.mkdir()
    proc = run("infer", clips, "-o", out, "--model", tiny, "--report", report)
    assert proc.returncode == 1, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"line_{i}.csv" for i in range(4)]
    doc = json.loads(report.read_text())
    assert doc["exit_code"] == 1 and doc["model"]["family"] == "v01a"
    by_name = {Path(f["input"]).name: f for f in doc["files"]}
    assert by_name["line_9.wav"]["status"] == "failed"
    assert "line_9.wav: not a readable audio file" in by_name["line_9.wav"]["error"]
    assert by_name["line_9.wav"]["output"] is None
    for i in range(4):
        entry = by_name[f"line_{i}.wav"]
        assert entry["status"] == "ok" and entry["error"] is None
        assert entry["output"] == str(out / f"line_{i}.csv") and entry["frames"] == 60
        assert entry["duration_s"] == pytest.approx(1.0) and entry["seconds"] > 0
        assert entry["model"] == str(tiny)
    lines = proc.stderr.strip().splitlines()
    assert lines[-1] == "neurosync: 4 of 5 files written, 1 failed"
    assert sum(line.startswith("neurosync: ok") for line in lines) == 4
    assert [line for line in lines if "failed " in line][0].startswith("neurosync: failed  ")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files


def test_jobs_2_writes_the_same_bytes_as_jobs_1(clips, tiny, tmp_path):
    files = sorted(clips.glob("line_[0-3].wav"))
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"j{jobs}"
        out.mkdir()
        proc = run("infer", *files, "-o", out, "--model", tiny, "--jobs", jobs, "--format", "npz")
        assert proc.returncode == 0, proc.stderr
        outputs[jobs] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(outputs[1]) == 4 and outputs[1] == outputs[2]


def test_collisions_are_refused_before_work(clips, tiny, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    data, rate = sf.read(clips / "line_0.wav")
    sf.write(tmp_path / "a" / "x.wav", data, rate)
    sf.write(tmp_path / "b" / "x.flac", data, rate)
    out = tmp_path / "out"
    out.mkdir()
    proc = run("infer", tmp_path / "a" / "x.wav", tmp_path / "b" / "x.flac", "-o", out)
    assert proc.returncode == 2
    assert "would both write" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert list(out.iterdir()) == []


def test_one_input_into_a_folder(clips, tiny, tmp_path):
    proc = run("infer", clips / "line_1.wav", "-o", tmp_path, "--model", tiny, "--format", "json")
    assert proc.returncode == 0 and proc.stderr == ""
    assert json.loads((tmp_path / "line_1.json").read_text())["fps"] == 60.0


def _progress_output(argv, use_pty: bool) -> str:
    if not use_pty:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return proc.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 600)
        try:
            chunk = os.read(leader, 4096) if ready else b""
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode()


@pytest.mark.parametrize("use_pty", [True, False], ids=["terminal", "pipe"])
def test_progress_bar_only_on_a_terminal(clips, tiny, tmp_path, use_pty):
    files = sorted(clips.glob("line_[0-1].wav"))
    argv = [str(NEUROSYNC), "infer", *map(str, files), "-o", str(tmp_path), "--model", str(tiny)]
    text = _progress_output(argv, use_pty)
    if use_pty:
        assert "2/2 files" in text and "100%" in text and "] " in text and "left" in text
    else:
        assert "files," not in text and "\r" not in text and "[" not in text
        assert text.count("neurosync: ok") == 2
    quiet = _progress_output([*argv, "--quiet"], use_pty)
    assert quiet.strip() == "neurosync: 2 of 2 files written, 0 failed"


def test_model_is_loaded_once(clips, tiny, tmp_path, monkeypatch):
    from neurosync_lipsync.core import checkpoint
    from neurosync_lipsync.core.batch import plan
    from neurosync_lipsync.core.progress import RunProgress
    from neurosync_lipsync.core.runner import Settings, run

    calls = []
    real = checkpoint.load_checkpoint

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(checkpoint, "load_checkpoint", counting)
    work = plan([str(clips)], str(tmp_path), "csv")
    progress = RunProgress([j.source.name for j in work.jobs], [1] * 5, quiet=True)
    outcomes = run(work, str(tiny), Settings(None), jobs=1, progress=progress)
    assert [o.ok for o in outcomes] == [True] * 4 + [False] and len(calls) == 1


def test_version_and_default_info():
    from neurosync_lipsync.core.about import file_sha256
    from neurosync_lipsync.core.checkpoint import DEFAULT_MODEL_PATH

    proc = run("--version")
    assert proc.returncode == 0
    sha = file_sha256(DEFAULT_MODEL_PATH)
    assert proc.stdout.startswith("neurosync 0.1.0\n")
    assert f"neurosync_default.pth (v01a, sha256 {sha})" in proc.stdout
    assert f"numpy {np.__version__}" in proc.stdout and "python 3." in proc.stdout
    info = run("info")
    assert info.returncode == 0 and "(the shipped default model)" in info.stdout
    assert f"sha256:          {sha}" in info.stdout and "MODEL_CARD.md" in info.stdout
