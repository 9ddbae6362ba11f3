"""The bad-input table for ``neurosync``: every row asserts the exit code, the one-line message,
and that nothing was left behind (the working folder is byte-for-byte as before the run).

Rows run the real command in a subprocess. Faults are made three ways: files built by each
row's setup; a patched ``os.fsync`` inside the CLI's own process (a SIGTERM/SIGINT/SIGKILL
arriving mid-write, or ENOSPC as a full disk reports it at flush time); and, where the kernel
lets an unprivileged user namespace mount one (``unshare -rm``), a real 16 KiB tmpfs that is
full or read-only. Add a row for every new case found.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from neurosync_lipsync.core import atomic
from neurosync_lipsync.core.pth_reader import read_pth

from tests.core.pth_files import write_pth

NEUROSYNC = Path(sys.executable).parent / "neurosync"
OLD = "old output, must survive\n"

#: Runs the CLI with os.fsync patched: argv[1] is a signal name, or "ENOSPC".
PATCHED = """
import errno, os, signal, sys
from neurosync_lipsync.core import cli
fault, real = sys.argv[1], os.fsync
def fsync(fd):
    if fault == "ENOSPC":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    os.kill(os.getpid(), getattr(signal, fault))
    real(fd)
os.fsync = fsync
sys.exit(cli.main(sys.argv[2:]))
"""


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


UNSHARE = _can_unshare()


@dataclass(frozen=True)
class Row:
    id: str
    argv: list[str]  # placeholders: {clip} {tiny} {tmp}
    code: int
    message: str  # a part of the one stderr line ("a|b": either)
    setup: Callable[[Path, Path], None] | None = None  # (tmp, fixtures)
    fault: str | None = None  # os.fsync fault (see PATCHED), or "tmpfs-full" / "tmpfs-ro"
    extra_codes: tuple[int, ...] = field(default=())


def _wav(path: Path, samples, rate=22050, subtype=None):
    sf.write(path, np.asarray(samples), rate, subtype=subtype)


def _noise(seconds=1.0, rate=22050):
    return (np.random.default_rng(0).standard_normal(int(seconds * rate)) * 0.1).astype("f4")


def _truncated(tmp, fx):
    data = (fx / "speechlike.wav").read_bytes()
    (tmp / "cut.wav").write_bytes(data[: len(data) // 2])


def _nan_wav(tmp, fx):
    x = _noise()
    x[100] = np.nan
    _wav(tmp / "nan.wav", x, subtype="FLOAT")


def _inf_wav(tmp, fx):
    x = _noise()
    x[5] = np.inf
    _wav(tmp / "inf.wav", x, subtype="FLOAT")


def _rate_wav(rate):
    def setup(tmp, fx):
        with wave.open(str(tmp / f"r{rate}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(np.zeros(rate, "<i2").tobytes())

    return setup


def _old_output(tmp, fx):
    (tmp / "out.csv").write_text(OLD)


def _stale_temp(tmp, fx):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    atomic.temp_path(tmp / "out.csv", dead.pid).write_text("half a file")


def _nan_checkpoint(tmp, fx):
    obj = read_pth(fx / "tiny_v01a.pth")  # written by torch without it: the runtime's reader
    state = obj.get("state_dict", obj)
    first = next(k for k, v in state.items() if v.dtype.kind == "f")
    state[first] = np.full_like(state[first], np.nan)
    write_pth(tmp / "nan.pth", obj)


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def _evil_checkpoint(tmp, fx):
    write_pth(tmp / "evil.pth", {"state_dict": {"w": _Evil()}})  # a torch zip, pickled as is


def _two_same_stem(tmp, fx):
    for sub, suffix in (("a", "wav"), ("b", "flac")):
        (tmp / sub).mkdir()
        _wav(tmp / sub / f"x.{suffix}", _noise())
    (tmp / "out").mkdir()


def _mkdirs(*names):
    def setup(tmp, fx):
        for name in names:
            (tmp / name).mkdir()

    return setup


def _file(name, content=b"x"):
    def setup(tmp, fx):
        (tmp / name).write_bytes(content)

    return setup


def _two_clips_and_a_file(tmp, fx):
    for name in ("a.wav", "b.wav"):
        _wav(tmp / name, _noise())
    (tmp / "o.csv").write_text(OLD)


def _dangling_link(tmp, fx):
    (tmp / "link.csv").symlink_to(tmp / "missing" / "target.csv")


INFER = ["infer", "{clip}", "-o", "{tmp}/out.csv", "--model", "{tiny}"]
ARGS = [
    ("fps-huge", ["--fps", "1e6"], "argument --fps: must be within 1-240 fps, got 1e6"),
    ("fps-zero", ["--fps", "0"], "argument --fps: must be within 1-240 fps"),
    ("fps-nan", ["--fps", "nan"], "argument --fps: must be within 1-240 fps, got nan"),
    ("fps-negative", ["--fps", "-24"], "argument --fps: must be within"),
    ("fps-text", ["--fps", "abc"], "argument --fps: expected a number within 1-240 fps"),
    ("start-nan", ["--start", "nan"], "argument --start: must be within 0-86400 s, got nan"),
    ("start-negative", ["--start", "-1"], "argument --start: must be within 0-86400 s"),
    ("start-inf", ["--start", "inf"], "argument --start: must be within 0-86400 s, got inf"),
    ("batch-size-zero", ["--batch-size", "0"], "argument --batch-size: must be within 1-1024"),
    ("batch-size-float", ["--batch-size", "1.5"], "argument --batch-size: expected a whole"),
    ("batch-size-huge", ["--batch-size", "100000"], "argument --batch-size: must be within"),
    ("threads-zero", ["--threads", "0"], "argument --threads: must be within 1-"),
    ("threads-huge", ["--threads", "100000"], "argument --threads: must be within 1-"),
    ("jobs-zero", ["--jobs", "0"], "argument -j/--jobs: must be within 1-"),
    ("jobs-huge", ["--jobs", "100000"], "argument -j/--jobs: must be within 1-"),
    ("emotion-strength-3", ["--emotion-strength", "3"], "emotion strength must be within 0-2"),
    ("emotion-strength-nan", ["--emotion-strength", "nan"], "emotion strength must be within"),
    ("smoothing-unknown", ["--smoothing", "blur"], "argument --smoothing: invalid choice"),
    ("format-unknown", ["--format", "xml"], "argument --format: invalid choice"),
    ("device-unknown", ["--device", "tpu"], "argument --device: invalid choice"),
    ("reference-with-fps", ["--reference", "--fps", "24"], "--reference output is always 60"),
    ("unknown-option", ["--bogus"], "unrecognized arguments: --bogus"),
    ("start-past-end", ["--start", "100"], "--start 100 s is at or past the end of the audio"),
]

ROWS = [Row(f"args-{name}", INFER + extra, 2, msg) for name, extra, msg in ARGS] + [
    Row("args-no-output", ["infer", "{clip}"], 2, "the following arguments are required"),
    Row("args-no-command", [], 2, "the following arguments are required: command"),
    # outputs
    Row("out-folder-missing", ["infer", "{clip}", "-o", "{tmp}/nope/o.csv"], 2, "does not exist"),
    Row("out-parent-is-file", ["infer", "{clip}", "-o", "{tmp}/f/o.csv"], 2, "is not a folder",
        _file("f")),
    Row("out-unknown-suffix", ["infer", "{clip}", "-o", "{tmp}/o.txt"], 2,
        "unknown output format 'txt'"),
    Row("out-name-too-long", ["infer", "{clip}", "-o", "{tmp}/" + "n" * 300 + ".csv"], 2,
        "file name is 304 bytes, longer than 255 bytes"),
    Row("out-is-device", ["infer", "{clip}", "-o", "/dev/null", "--format", "csv"], 2,
        "/dev/null: exists and is not a regular file"),
    Row("out-overwrites-input", ["infer", "{tmp}/in.wav", "-o", "{tmp}/in.wav", "--format",
        "csv"], 2, "the output would overwrite the input",
        lambda t, f: _wav(t / "in.wav", _noise())),
    Row("out-dangling-link", ["infer", "{clip}", "-o", "{tmp}/link.csv"], 2,
        "the output folder", _dangling_link),
    Row("out-several-into-file", ["infer", "{tmp}/a.wav", "{tmp}/b.wav", "-o", "{tmp}/o.csv"],
        2, "-o must name an output folder, and this is a file", _two_clips_and_a_file),
    Row("out-folder-of-batch-missing", ["infer", "{tmp}/in", "-o", "{tmp}/nope"], 2,
        "the output folder does not exist", lambda t, f: (
            (t / "in").mkdir(), _wav(t / "in" / "a.wav", _noise())) and None),
    Row("out-collision", ["infer", "{tmp}/a/x.wav", "{tmp}/b/x.flac", "-o", "{tmp}/out"], 2,
        "would both write", _two_same_stem),
    Row("out-report-folder-missing", INFER + ["--report", "{tmp}/no/r.json"], 2,
        "the report folder"),
    Row("out-report-is-output", INFER + ["--report", "{tmp}/out.csv"], 2,
        "also an output"),
    Row("out-read-only-fs", INFER, 2, "Read-only file system", fault="tmpfs-ro"),
    # audio
    Row("audio-missing", ["infer", "{tmp}/missing.wav", "-o", "{tmp}/o.csv"], 2,
        "no such audio file"),
    Row("audio-empty-folder", ["infer", "{tmp}/d", "-o", "{tmp}"], 2, "no audio files",
        _mkdirs("d")),
    Row("audio-device", ["infer", "/dev/zero", "-o", "{tmp}/o.csv"], 2,
        "/dev/zero: not a regular file"),
    Row("audio-empty-file", ["infer", "{tmp}/e.wav", "-o", "{tmp}/o.csv"], 2,
        "the file is empty", _file("e.wav", b"")),
    Row("audio-not-audio", ["infer", "{tmp}/t.wav", "-o", "{tmp}/o.csv"], 2,
        "not a readable audio file", _file("t.wav", b"just some text, no RIFF " * 50)),
    Row("audio-truncated", ["infer", "{tmp}/cut.wav", "-o", "{tmp}/o.csv"], 2, "cut short",
        _truncated),
    Row("audio-too-short", ["infer", "{tmp}/s.wav", "-o", "{tmp}/o.csv", "--model", "{tiny}"], 2,
        "analysis frames; at least 9", lambda t, f: _wav(t / "s.wav", _noise(0.05))),
    Row("audio-nan", ["infer", "{tmp}/nan.wav", "-o", "{tmp}/o.csv"], 2,
        "NaN or infinite samples", _nan_wav),
    Row("audio-inf", ["infer", "{tmp}/inf.wav", "-o", "{tmp}/o.csv"], 2,
        "NaN or infinite samples", _inf_wav),
    Row("audio-rate-4k", ["infer", "{tmp}/r4000.wav", "-o", "{tmp}/o.csv"], 2,
        "sample rate 4000 Hz is outside the supported 8000-192000 Hz", _rate_wav(4000)),
    Row("audio-rate-384k", ["infer", "{tmp}/r384000.wav", "-o", "{tmp}/o.csv"], 2,
        "sample rate 384000 Hz is outside", _rate_wav(384000)),
    # checkpoints (what core/checkpoint.py refuses today)
    Row("ckpt-missing", ["infer", "{clip}", "-o", "{tmp}/o.csv", "--model", "{tmp}/no.pth"], 2,
        "no such checkpoint file"),
    Row("ckpt-empty", ["infer", "{clip}", "-o", "{tmp}/o.csv", "--model", "{tmp}/e.pth"], 2,
        "the checkpoint file is empty", _file("e.pth", b"")),
    Row("ckpt-not-torch", ["infer", "{clip}", "-o", "{tmp}/o.csv", "--model", "{tmp}/j.pth"], 2,
        "not a readable PyTorch checkpoint", _file("j.pth", b'{"a": 1}')),
    Row("ckpt-pickle-code", ["infer", "{clip}", "-o", "{tmp}/o.csv", "--model", "{tmp}/evil.pth"],
        2, "evil.pth: refused to load|evil.pth: not a readable PyTorch", _evil_checkpoint),
    # NaN weights: refused at load (exit 2) once core/checkpoint.py checks them; until then
    # the last-line guard refuses the NaN result (exit 1). Either way nothing is written.
    Row("ckpt-nan-weights", ["infer", "{clip}", "-o", "{tmp}/o.csv", "--model", "{tmp}/nan.pth"],
        1, "NaN/infinite|non-finite", _nan_checkpoint, extra_codes=(2,)),
    # signals and full disks during the write (the previous file must survive)
    Row("signal-sigterm-mid-write", INFER, 143, "interrupted by SIGTERM", _old_output, "SIGTERM"),
    Row("signal-sigint-mid-write", INFER, 130, "interrupted by SIGINT", _old_output, "SIGINT"),
    Row("signal-sigterm-jobs-2", ["infer", "{clip}", "{tmp}/b/two.wav", "-o", "{tmp}", "--model",
        "{tiny}", "--jobs", "2"], 143, "interrupted by SIGTERM",
        lambda t, f: ((t / "b").mkdir(), _wav(t / "b" / "two.wav", _noise())) and None,
        "SIGTERM"),
    Row("disk-full-enospc", INFER, 1, "out.csv: could not be written (No space left on device); "
        "the previous file is kept", _old_output, "ENOSPC"),
    Row("disk-full-enospc-new-file", INFER, 1, "No space left on device); nothing was written",
        None, "ENOSPC"),
    Row("disk-full-tmpfs", INFER, 1, "No space left on device", fault="tmpfs-full"),
    Row("stale-temp-cleaned-on-failure", ["infer", "{tmp}/missing.wav", "-o", "{tmp}/out.csv"],
        2, "no such audio file", _stale_temp),
]  # fmt: skip


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _fill(argv, tmp, fixtures):
    clip = fixtures / "speechlike.wav"
    values = {"clip": str(clip), "tiny": str(fixtures / "tiny_v01a.pth"), "tmp": str(tmp)}
    return [a.format(**values) for a in argv]


def _tmpfs_command(argv: list[str], disk: Path, read_only: bool) -> list[str]:
    """Run inside a private mount namespace on a 16 KiB tmpfs; print what is left on it."""
    quoted = " ".join(f"'{a}'" for a in argv)
    remount = f"mount -o remount,ro '{disk}' && " if read_only else ""
    script = (
        f"mount -t tmpfs -o size=16k tmpfs '{disk}' && printf '{OLD.strip()}' > '{disk}/out.csv'"
        f" && {remount}{quoted}; rc=$?; ls -A '{disk}'; cat '{disk}/out.csv'; exit $rc"
    )
    return ["unshare", "-rm", "sh", "-c", script]


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_bad_input(row: Row, tmp_path, fixtures_dir):
    if row.setup is not None:
        row.setup(tmp_path, fixtures_dir)
    before = _snapshot(tmp_path)
    if row.fault in ("tmpfs-full", "tmpfs-ro"):
        if not UNSHARE:
            pytest.skip("unshare -rm (a user namespace to mount a tmpfs) is not available")
        disk = tmp_path / "disk"
        disk.mkdir()
        before = _snapshot(tmp_path)
        argv = _fill(row.argv, disk, fixtures_dir)
        cmd = _tmpfs_command([str(NEUROSYNC), *argv], disk, row.fault == "tmpfs-ro")
    elif row.fault is not None:
        cmd = [sys.executable, "-c", PATCHED, row.fault, *_fill(row.argv, tmp_path, fixtures_dir)]
    else:
        cmd = [str(NEUROSYNC), *_fill(row.argv, tmp_path, fixtures_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode in (row.code, *row.extra_codes), proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert any(m.lower() in lines[0].lower() for m in row.message.split("|")), lines[0]
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("neurosync: ") and "internal error" not in lines[0]
    if row.fault in ("tmpfs-full", "tmpfs-ro"):  # what the tmpfs held when the run ended
        assert proc.stdout.splitlines() == ["out.csv", OLD.strip()]
    if row.id == "stale-temp-cleaned-on-failure":
        before = {k: v for k, v in before.items() if ".neurosync-" not in k}
    assert _snapshot(tmp_path) == before  # nothing new, nothing changed, no temp file
    assert not (tmp_path / "pwned").exists()


def test_sigkill_mid_write_leaves_a_temp_that_the_next_run_removes(tmp_path, fixtures_dir):
    _old_output(tmp_path, fixtures_dir)
    argv = _fill(INFER, tmp_path, fixtures_dir)
    killed = subprocess.run(
        [sys.executable, "-c", PATCHED, "SIGKILL", *argv], capture_output=True, timeout=600
    )
    assert killed.returncode == -9
    temps = [p.name for p in tmp_path.iterdir() if ".neurosync-" in p.name]
    assert len(temps) == 1 and (tmp_path / "out.csv").read_text() == OLD
    again = subprocess.run([str(NEUROSYNC), *argv], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    assert (tmp_path / "out.csv").read_text().startswith("Timecode,")


def test_no_nan_result_is_returned_or_written(fixtures_dir, tmp_path):
    torch = pytest.importorskip("torch")  # poisons a loaded model's weights in place
    from neurosync_lipsync.core.checkpoint import load_checkpoint
    from neurosync_lipsync.core.errors import NonFiniteResultError
    from neurosync_lipsync.core.export import write_result
    from neurosync_lipsync.core.pipeline import generate

    loaded = load_checkpoint(fixtures_dir / "tiny_v01a.pth", backend="torch")
    good = generate(fixtures_dir / "speechlike.wav", model=loaded)
    with torch.no_grad():
        next(loaded.model.module.parameters()).fill_(float("nan"))
    with pytest.raises(NonFiniteResultError, match="speechlike.wav: the model output holds"):
        generate(fixtures_dir / "speechlike.wav", model=loaded)
    bad_values = good.values.copy()
    bad_values[3, 17] = np.inf
    from dataclasses import replace

    for fmt in ("csv", "json", "npz"):
        with pytest.raises(NonFiniteResultError, match="JawOpen at"):
            write_result(replace(good, values=bad_values), tmp_path / f"o.{fmt}")
    assert list(tmp_path.iterdir()) == []


def test_writes_go_through_symlinks_and_keep_permissions(fixtures_dir, tmp_path):
    from neurosync_lipsync.core.export import write_result
    from neurosync_lipsync.core.pipeline import generate

    result = generate(fixtures_dir / "speechlike.wav", model=fixtures_dir / "tiny_v01a.pth")
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "take.csv"
    target.write_text(OLD)
    target.chmod(0o640)
    link = tmp_path / "take.csv"
    link.symlink_to(target)
    write_result(result, link)
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().startswith("Timecode,") and target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["take.csv"]
