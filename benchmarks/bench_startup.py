"""Start-up after a fresh install: the first bake in Blender and a short `neurosync infer`.

    <venv>/bin/python benchmarks/bench_startup.py [--zip dist/...linux_x64.zip] [--runs 3]

Run it with the Python of a venv that has the bpy module (e.g. .venv-bpy45 or .venv-bpy53).

- ``first_bake``: in a child process with a new, empty Blender user folder, install the zip
  offline and enable it (timed as ``install_s``), then bake 10 s of speech onto a face with the
  default model (``first_bake_s``, measured in-process after enabling, no Blender start-up),
  then bake again (``second_bake_s``). It also lists the heavy modules the bake imported.
- ``infer``: ``neurosync infer`` on a 3 s clip, wall time of the whole command (interpreter
  start-up, imports, model load, features, inference, writing the CSV), run ``--runs`` times.

Prints one JSON object. Targets (issue 9): first bake <= 3 s, infer <= 1 s on the 2-core VM.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
VOICE = ROOT / "demo" / "voice.ogg"

CHILD = textwrap.dedent(
    """
    import json, sys, time
    import bpy
    zip_path, wav = sys.argv[1:3]
    bpy.ops.wm.read_factory_settings(use_empty=True)
    t0 = time.perf_counter()
    assert bpy.ops.extensions.package_install_files(
        filepath=zip_path, repo="user_default", enable_on_install=True) == {"FINISHED"}
    install = time.perf_counter() - t0
    scene = bpy.context.scene
    scene.render.fps = 24
    scene.sequence_editor_create().strips.new_sound("voice", wav, channel=1, frame_start=1)
    mesh = bpy.data.meshes.new("Face")
    face = bpy.data.objects.new("Face", mesh)
    scene.collection.objects.link(face)
    face.shape_key_add(name="Basis")
    for n in ("jawOpen", "mouthClose", "mouthFunnel", "mouthPucker", "eyeBlinkLeft"):
        face.shape_key_add(name=n).value = 0.0
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        assert bpy.ops.lipsync.generate(strip="voice", object="Face") == {"FINISHED"}
        times.append(time.perf_counter() - t0)
    heavy = sorted(m for m in ("torch", "librosa", "numba", "scipy") if m in sys.modules)
    print(json.dumps({"install_s": install, "first_bake_s": times[0],
                      "second_bake_s": times[1], "heavy_modules": heavy}))
    """
)


def clip(seconds: float, folder: Path) -> Path:
    """The first ``seconds`` of the demo voice as a WAV file."""
    samples, rate = sf.read(VOICE, dtype="float32")
    path = folder / f"voice_{seconds:g}s.wav"
    sf.write(path, samples[: int(seconds * rate)], rate)
    return path


def first_bake(zip_path: str, folder: Path) -> dict:
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(folder / "user"), PYTHONNOUSERSITE="1")
    wav = clip(10.0, folder)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, zip_path, str(wav)],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"first bake failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def infer(folder: Path, runs: int) -> dict:
    wav = clip(3.0, folder)
    cli = Path(sys.executable).with_name("neurosync")
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "neurosync_lipsync.core.cli"]
    walls = []
    for index in range(runs):
        out = folder / f"out{index}.csv"
        start = time.perf_counter()
        subprocess.run([*command, "infer", str(wav), "-o", str(out)], check=True)
        walls.append(time.perf_counter() - start)
    return {"runs_s": [round(w, 3) for w in walls], "median_s": float(np.median(walls))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    found = sorted(glob.glob(str(ROOT / "dist" / "neurosync_lipsync-*-linux_x64.zip")))
    parser.add_argument("--zip", default=found[-1] if found else None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.zip:
        raise SystemExit("no zip: run tools/build_extension.py --platform linux-x64 first")
    with tempfile.TemporaryDirectory() as tmp:
        report = {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "zip_mib": round(os.path.getsize(args.zip) / 2**20, 2),
            "first_bake": first_bake(args.zip, Path(tmp)),
            "infer_3s": infer(Path(tmp), args.runs),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
