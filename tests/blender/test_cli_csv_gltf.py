"""``--import-csv`` (Live Link Face takes) and ``--export-gltf`` (read back from the .glb)."""

from __future__ import annotations

import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender.keying import find_take  # noqa: E402

from tests.livelink_takes import write_app_csv  # noqa: E402

from .clitools import glb_weights, run  # noqa: E402
from .conftest import add_face  # noqa: E402

START = 37


def _scene(tmp_path, fps: int, base: float):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = fps, base
    add_face()
    path = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    return path


def _evaluated(path, name: str, frames) -> np.ndarray:
    bpy.ops.wm.open_mainfile(filepath=str(path))
    scene = bpy.context.scene
    key = bpy.data.objects["Face"].data.shape_keys
    values = []
    for frame in frames:
        scene.frame_set(frame)
        values.append(key.key_blocks[name].value)
    return np.array(values)


@pytest.mark.parametrize(("fps", "base"), [(24, 1.0), (30, 1.001)], ids=["24", "29.97"])
def test_imported_take_follows_the_csv_jaw(tmp_path, fps, base):
    blend = _scene(tmp_path, fps, base)
    t, jaw, _ = write_app_csv(tmp_path / "take.csv", seconds=5.0, capture_hz=59.94)
    out = tmp_path / "out.blend"
    proc = run("--blend", blend, "--object", "Face", "--import-csv", tmp_path / "take.csv",
               "--frame", START, "--output", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"at frame {START}" in proc.stdout
    rate = fps / base
    count = int(math.floor(t[-1] * rate + 1e-6)) + 1
    frames = range(START, START + count)
    got = _evaluated(out, "jawOpen", [START - 2, *frames, START + count + 1])
    expected = np.interp((np.array(frames) - START) / rate, t, jaw)
    r = np.corrcoef(got[1:-1], expected)[0, 1]
    assert r >= 0.98, r
    assert np.abs(got[1:-1] - expected).max() < 0.01
    # Outside the take the face is at rest.
    assert got[0] == 0.0 and got[-1] == 0.0
    bpy.ops.wm.open_mainfile(filepath=str(out))
    takes = [a for a in bpy.data.actions if "lipsync_take" in a]
    assert [a.name for a in takes] == ["LipSync take.csv - Face"]


def test_reimport_replaces_the_take_and_export_matches_it(tmp_path):
    blend = _scene(tmp_path, 24, 1.0)
    write_app_csv(tmp_path / "take.csv", seconds=3.0)
    out, glb = tmp_path / "out.blend", tmp_path / "out.glb"
    args = ("--object", "Face", "--import-csv", tmp_path / "take.csv", "--frame", START)
    assert run("--blend", blend, *args, "--output", out).returncode == 0
    proc = run("--blend", out, *args, "--output", out, "--export-gltf", glb)
    assert proc.returncode == 0, proc.stderr
    assert f"exported {glb}" in proc.stdout
    names, times, weights = glb_weights(glb)["Face"]
    frames = np.rint(times * 24).astype(int)
    assert np.allclose(times * 24, frames, atol=1e-3)
    assert frames[0] <= START and frames[-1] >= START + 3 * 24 - 1
    for key in ("jawOpen", "eyeBlinkLeft"):
        take = _evaluated(out, key, frames)
        assert np.abs(weights[:, names.index(key)] - take).max() < 1e-4, key
    assert np.ptp(weights[:, names.index("jawOpen")]) > 0.5
    bpy.ops.wm.open_mainfile(filepath=str(out))
    assert len([a for a in bpy.data.actions if "lipsync_take" in a]) == 1  # replaced, not stacked
    assert bpy.data.objects["Face"].data.shape_keys.animation_data.use_nla  # export restored it


def test_head_rotation_goes_onto_the_head_bone(tmp_path):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.context.scene.render.fps = 24
    add_face()
    arm = bpy.data.armatures.new("Rig")
    rig = bpy.data.objects.new("Rig", arm)
    bpy.context.scene.collection.objects.link(rig)
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    bone = arm.edit_bones.new("Head")
    bone.head, bone.tail = (0, 0, 1.5), (0, 0, 1.8)
    bpy.ops.object.mode_set(mode="OBJECT")
    blend = tmp_path / "rig.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    t, _, head = write_app_csv(tmp_path / "take.csv", seconds=2.0)
    out = tmp_path / "out.blend"
    csv = tmp_path / "take.csv"
    head_bone = ("--armature", "Rig", "--head-bone", "Head")
    proc = run("--blend", blend, "--object", "Face", "--import-csv", csv, "--frame", 1, *head_bone,
               "--output", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    bpy.ops.wm.open_mainfile(filepath=str(out))
    scene, pose = bpy.context.scene, bpy.data.objects["Rig"].pose.bones["Head"]
    for frame in (1, 13, 40):
        scene.frame_set(frame)
        q = pose.rotation_quaternion.to_euler("XYZ")
        yaw, pitch, roll = (np.interp((frame - 1) / 24, t, head[:, i]) for i in range(3))
        assert (q.x, q.y, q.z) == pytest.approx((pitch, yaw, roll), abs=2e-3)
    scene.frame_set(100)  # after the take the bone is back at rest
    assert tuple(pose.rotation_quaternion) == pytest.approx((1, 0, 0, 0), abs=1e-6)


def test_import_operator_keys_a_take(addon, tmp_path):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.context.scene.render.fps = 24
    add_face()
    write_app_csv(tmp_path / "take.csv", seconds=1.0)
    result = bpy.ops.lipsync.import_csv(filepath=str(tmp_path / "take.csv"), frame=5, object="Face")
    assert result == {"FINISHED"}
    action = bpy.data.actions["LipSync take.csv - Face"]
    assert action["lipsync_csv"] == str(tmp_path / "take.csv")
    ad = bpy.data.objects["Face"].data.shape_keys.animation_data
    _, strip, _ = find_take(bpy.data.objects["Face"].data.shape_keys, action["lipsync_take"])
    assert strip.frame_start == 5  # the first row at the chosen frame
    assert ad.nla_tracks[0].name == "LipSync Base"  # the base lies beneath, as under a bake
    bad = tmp_path / "bad.csv"
    bad.write_text("nope\n")
    before = sorted(a.name for a in bpy.data.actions)
    assert before == ["LipSync Base - Face", "LipSync take.csv - Face"]
    # An operator's ERROR report reaches a Python caller as RuntimeError; nothing was keyed.
    with pytest.raises(RuntimeError, match="bad.csv: line 1 must start with 'Timecode"):
        bpy.ops.lipsync.import_csv(filepath=str(bad), object="Face")
    assert sorted(a.name for a in bpy.data.actions) == before
