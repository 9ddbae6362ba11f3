"""The headless CLI takes the face-motion and directed-emotion switches of ``neurosync infer``."""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender.headless_args import parse  # noqa: E402
from neurosync_lipsync.core.postprocess import ProductOptions  # noqa: E402
from neurosync_lipsync.core.secondary import SecondaryOptions  # noqa: E402

from .clitools import error_lines, run  # noqa: E402

BAKE = ["--strip", "voice", "--object", "Face"]


def test_switches_become_the_bakes_product_options():
    args = parse(
        [*BAKE, "--no-gaze", "--head-strength", "0.5", "--seed", "9", "--emotion", "Sad",
         "--emotion-intensity", "0.4", "--emotion-strength", "1.5", "--smoothing", "pairs"]
    )  # fmt: skip
    strengths = {"blinks": 1.0, "gaze": 1.0, "brows": 1.0, "head": 0.5}
    assert args.product == ProductOptions(
        emotion_strength=1.5,
        smoothing="pairs",
        emotion="Sad",
        emotion_intensity=0.4,
        secondary=SecondaryOptions(gaze=False, seed=9, strengths=strengths),
    )
    keyed = parse([*BAKE, "--emotion-key", "0:Happy:1", "--emotion-key", "2.5:Sad:0.5"])
    assert keyed.product.emotion_keys == ((0.0, "Happy", 1.0), (2.5, "Sad", 0.5))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--brows-strength", "3"], "strength"),
        (["--emotion-key", "soon:Happy:1"], "expected TIME:NAME:INTENSITY"),
        (["--emotion", "Happy", "--emotion-key", "1:Sad:1"], "emotion"),
        (["--seed", "-1"], "seed must be within"),
    ],
)
def test_bad_switches_one_line_before_any_scene_is_opened(args, message, tmp_path):
    missing = tmp_path / "never-opened.blend"
    proc = run("--output", missing, *BAKE, *args)
    assert proc.returncode == 2
    lines = error_lines(proc.stderr)
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], proc.stderr
    assert not missing.exists()


def test_csv_import_refuses_bake_switches(tmp_path):
    csv = tmp_path / "take.csv"
    csv.write_text("Timecode,BlendshapeCount\n")
    proc = run("--import-csv", csv, "--object", "Face", "--no-blinks", "--emotion", "Happy")
    assert proc.returncode == 2
    assert "--no-blinks, --emotion: for bakes" in proc.stderr


def _brow_and_blink_range(path) -> float:
    bpy.ops.wm.open_mainfile(filepath=str(path))
    scene, key = bpy.context.scene, bpy.data.objects["Face"].data.shape_keys
    rows = []
    for frame in range(10, 94):  # the take's frames: the 3.5 s voice at 24 fps from frame 10
        scene.frame_set(frame)
        rows.append([key.key_blocks[n].value for n in ("browInnerUp", "eyeBlinkLeft")])
    return float(np.ptp(np.array(rows), axis=0).max())


def test_parts_switched_off_leave_brows_and_eyes_still(scene, tmp_path):
    blend = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    runs = {}
    for name, extra in (("on", []), ("off", ["--no-brows", "--no-blinks"])):
        out = tmp_path / f"{name}.blend"
        proc = run("--blend", blend, *BAKE, "--seed", "3", "--output", out, *extra)
        assert proc.returncode == 0, proc.stderr
        runs[name] = _brow_and_blink_range(out)
    assert runs["on"] > 0.1  # the default model's brows and lids move only by the layer
    assert runs["off"] < 0.02
