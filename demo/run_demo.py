"""The whole demo, headless: build the scene, bake it, export the curves, draw the preview.

    python demo/run_demo.py [--model CKPT] [--audio FILE] [--seconds S] [--out DIR] [--no-video]

Writes into demo/out/ (or --out): scene.blend (face + sound strip, not baked), demo.blend (baked
by the extension's headless blender_cli.py), demo.csv (the engine's CLI, LiveLink-style, one row per
scene frame at 24 fps), preview.png, and demo.mp4 unless --no-video. Every step is its own
process, exactly as a user would run it; a failing step stops the demo with its error line.
Without --model the shipped default model is used.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
STRIP, FACE, FPS = "DemoVoice", "DemoFace", 24


def check_model(model: str | None) -> str:
    """A label for the model; exits with one clear line when none can be used."""
    if model:
        if not Path(model).is_file():
            sys.exit(f"run_demo: error: {model}: no such checkpoint")
        return Path(model).name
    from neurosync_lipsync.core.checkpoint import default_model_path
    from neurosync_lipsync.core.errors import CheckpointError

    try:
        default_model_path()
    except CheckpointError as exc:
        sys.exit(f"run_demo: error: {exc}")
    return "default model"


def trimmed(audio: Path, seconds: float, out: Path) -> Path:
    """The first ``seconds`` of ``audio`` as a WAV in ``out`` (for quick runs and CI)."""
    import soundfile

    data, rate = soundfile.read(str(audio), dtype="float32")
    path = out / f"{audio.stem}_{seconds:g}s.wav"
    soundfile.write(str(path), data[: int(seconds * rate)], rate)
    return path


def step(label: str, args: list[str], timings: list[tuple[str, float]]) -> None:
    print(f"[demo] {label} ...", flush=True)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True)
    timings.append((label, time.monotonic() - started))
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if "EGL Error" not in ln]
        sys.stderr.write("\n".join(lines[-15:]) + "\n")
        sys.exit(f"run_demo: error: step '{label}' failed (exit {proc.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="NeuroSync .pth checkpoint (default: the shipped model)")
    parser.add_argument("--audio", default=str(HERE / "voice.ogg"), help="speech to bake")
    parser.add_argument("--seconds", type=float, help="use only the first S seconds of the audio")
    parser.add_argument("--out", default=str(HERE / "out"), help="output folder")
    parser.add_argument("--no-video", action="store_true", help="skip demo.mp4")
    args = parser.parse_args(argv)

    model_label = check_model(args.model)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    audio = Path(args.audio).resolve()
    if not audio.is_file():
        sys.exit(f"run_demo: error: {audio}: no such audio file")
    if args.seconds:
        audio = trimmed(audio, args.seconds, out)
    model = ["--model", str(Path(args.model).resolve())] if args.model else []
    scene, baked, csv, png = (out / n for n in ("scene.blend", "demo.blend", "demo.csv",
                                                "preview.png"))  # fmt: skip
    timings: list[tuple[str, float]] = []
    started = time.monotonic()
    build = [str(HERE / "build_scene.py"), "--audio", str(audio), "--output", str(scene)]
    step("build scene", build, timings)
    bake = [str(REPO / "blender_cli.py"), "--blend", str(scene), "--strip", STRIP, "--object", FACE,
            "--output", str(baked), *model]  # fmt: skip
    step("bake (blender_cli.py)", bake, timings)
    infer = ["-m", "neurosync_lipsync.core.cli", "infer", str(audio), "-o", str(csv),
             "--fps", str(FPS), *model]  # fmt: skip
    step("curves (neurosync infer)", infer, timings)
    video = ["--no-video"] if args.no_video else ["--video", str(out / "demo.mp4")]
    title = f"NeuroSync Lip Sync: demo bake ({model_label}, {FPS} fps)"
    step("preview", [str(HERE / "preview.py"), "--blend", str(baked), "--output", str(png),
                     "--title", title, *video], timings)  # fmt: skip

    print(f"[demo] done in {time.monotonic() - started:.1f} s")
    for label, seconds in timings:
        print(f"  {label:<26}{seconds:6.1f} s")
    for path in (scene, baked, csv, png, out / "demo.mp4"):
        if path.is_file() and (path.suffix != ".mp4" or not args.no_video):
            print(f"  {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
