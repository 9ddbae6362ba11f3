"""Bake for Export: the merged action equals the evaluated face (takes, influences, what lies
beneath), and Blender's glTF exporter writes it as morph-target weights."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import keying  # noqa: E402
from neurosync_lipsync.blender.actions import fcurves_of  # noqa: E402
from neurosync_lipsync.blender.export import merge_takes  # noqa: E402

from .conftest import add_face  # noqa: E402
from .test_layering import set_influence, user_track  # noqa: E402

KEYS = ("jawOpen", "mouthClose", "eyeBlinkLeft")


@pytest.fixture
def face():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    obj = add_face("Face", keys=KEYS)
    for kb in obj.data.shape_keys.key_blocks[1:]:
        kb.data[0].co = (0.0, 0.0, 0.5)  # a real displacement, so glTF writes morph targets
    return obj


def ramp(count, seed):
    return (0.1 + 0.8 * np.random.default_rng(seed).random(count)).astype(np.float32)


def evaluated(key, frames):
    out = []
    for frame in frames:
        bpy.context.scene.frame_set(frame)
        out.append([key.key_blocks[k].value for k in KEYS])
    return np.array(out, dtype=np.float32)


def layered_face(face):
    key = face.data.shape_keys
    key.key_blocks["eyeBlinkLeft"].value = 0.25
    user_track(key, {"jawOpen": 0.4})
    keying.write_take(key, "a", "Take a", 100, {k: ramp(40, i) for i, k in enumerate(KEYS)})
    keying.write_take(key, "b", "Take b", 120, {"jawOpen": ramp(40, 9)})
    keying.write_take(key, "c", "Take c", 170, {"mouthClose": ramp(10, 5)})
    set_influence(keying.find_take(key, "a")[1], 0.5)
    keying.find_take(key, "b")[1].blend_in = 6
    keying.find_take(key, "c")[1].mute = True
    return key


def test_merge_matches_the_evaluated_takes(face):
    key = layered_face(face)
    frames = range(100, 180)
    want = evaluated(key, frames)
    result = merge_takes(face, ["a", "b"])
    assert (result.frame_start, result.frame_end) == (100, 159)
    assert key.animation_data.action == result.action and result.replaced_action == ""
    curves = {fc.data_path: fc for fc in fcurves_of(result.action)}
    assert sorted(curves) == sorted(f'key_blocks["{k}"].value' for k in KEYS)
    for column, name in enumerate(KEYS):
        fc = curves[f'key_blocks["{name}"].value']
        got = np.array([fc.evaluate(f) for f in range(100, 160)])
        np.testing.assert_allclose(got, want[:60, column], atol=1e-6)
    np.testing.assert_allclose(evaluated(key, range(100, 160)), want[:60], atol=1e-6)
    assert keying.find_take(key, "c")[1].mute  # restored as it was
    again = merge_takes(face, ["a", "b"])  # samples beneath the earlier export, same action
    assert again.action == result.action
    np.testing.assert_allclose(evaluated(key, range(100, 160)), want[:60], atol=1e-6)


def test_merge_keeps_the_users_active_action_and_needs_takes(face):
    key = face.data.shape_keys
    from neurosync_lipsync.blender.bake import BakeError

    with pytest.raises(BakeError, match="no lip-sync take"):
        merge_takes(face)
    kb = key.key_blocks["mouthClose"]
    kb.value = 0.3
    kb.keyframe_insert("value", frame=1)
    user = key.animation_data.action
    keying.write_take(key, "a", "Take a", 10, {"jawOpen": ramp(20, 1)})
    result = merge_takes(face)
    assert result.replaced_action == user.name and user.use_fake_user
    bpy.context.scene.frame_set(15)
    assert kb.value == pytest.approx(0.3)


def read_glb_weights(path):
    """{animation name: (times, (frames, targets) weights)} of a .glb."""
    data = open(path, "rb").read()
    length = struct.unpack("<I", data[12:16])[0]
    gltf = json.loads(data[20 : 20 + length])
    blob = 20 + length + 8

    def accessor(index):
        acc = gltf["accessors"][index]
        view = gltf["bufferViews"][acc["bufferView"]]
        offset = blob + view.get("byteOffset", 0) + acc.get("byteOffset", 0)
        size = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}[acc["type"]]
        return np.frombuffer(data, np.float32, count=acc["count"] * size, offset=offset)

    out = {}
    for anim in gltf.get("animations", []):
        for channel in anim["channels"]:
            if channel["target"]["path"] == "weights":
                sampler = anim["samplers"][channel["sampler"]]
                times = accessor(sampler["input"])
                out[anim["name"]] = (times, accessor(sampler["output"]).reshape(len(times), -1))
    return out


def test_gltf_export_of_the_merge(face, tmp_path):
    import addon_utils

    key = layered_face(face)
    want = evaluated(key, range(100, 160))
    merge_takes(face, ["a", "b"])
    scene = bpy.context.scene
    scene.frame_start, scene.frame_end = 100, 159
    scene.render.fps = 24
    addon_utils.enable("io_scene_gltf2")
    path = str(tmp_path / "face.glb")
    bpy.ops.export_scene.gltf(
        filepath=path, export_format="GLB", export_animation_mode="ACTIVE_ACTIONS"
    )
    ((times, weights),) = read_glb_weights(path).values()
    np.testing.assert_allclose(times * 24, np.arange(100, 160), atol=1e-3)  # scene time
    np.testing.assert_allclose(weights, want, atol=1e-5)


def test_fbx_export_of_the_merge(face, tmp_path):
    import addon_utils

    key = layered_face(face)
    want = evaluated(key, range(100, 160))
    merge_takes(face, ["a", "b"])
    scene = bpy.context.scene
    scene.frame_start, scene.frame_end = 100, 159
    addon_utils.enable("io_scene_fbx")
    path = str(tmp_path / "face.fbx")
    bpy.ops.export_scene.fbx(
        filepath=path, bake_anim_use_nla_strips=False, bake_anim_use_all_actions=False
    )
    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon_utils.enable("io_scene_fbx")
    bpy.ops.import_scene.fbx(filepath=path, anim_offset=0)
    (mesh,) = [o for o in bpy.data.objects if o.type == "MESH"]
    np.testing.assert_allclose(evaluated(mesh.data.shape_keys, range(100, 160)), want, atol=1e-4)


def test_head_bone_is_sampled_too(face):
    key = layered_face(face)
    arm = bpy.data.objects.new("Rig", bpy.data.armatures.new("Rig"))
    bpy.context.scene.collection.objects.link(arm)
    bpy.context.view_layer.objects.active = arm
    bpy.ops.object.mode_set(mode="EDIT")
    bone = arm.data.edit_bones.new("head")
    bone.tail = (0.0, 0.0, 1.0)
    bpy.ops.object.mode_set(mode="OBJECT")
    pb = arm.pose.bones["head"]
    pb.rotation_mode = "XYZ"
    for frame, angle in ((100, 0.0), (160, 0.6)):
        pb.rotation_euler = (angle, 0.0, -angle)
        pb.keyframe_insert("rotation_euler", frame=frame)
    result = merge_takes(face, ["a", "b"], head=(arm, "head"))
    assert arm.animation_data.action == result.head_action
    curves = {fc.array_index: fc for fc in fcurves_of(result.head_action)}
    assert sorted(curves) == [0, 1, 2]
    assert curves[0].evaluate(130) == pytest.approx(0.3, abs=1e-5)
    assert curves[2].evaluate(130) == pytest.approx(-0.3, abs=1e-5)
    assert key.animation_data.action == result.action


def test_gltf_export_over_an_earlier_bake_for_export_leaves_it_as_it_was(face, tmp_path):
    from neurosync_lipsync.blender.gltf_export import export_glb
    from neurosync_lipsync.ids import EXPORT_PROP

    key = face.data.shape_keys
    layered_face(face)
    earlier = merge_takes(face, ["a"])  # the panel's export: the Key's active action now
    curves = {
        fc.data_path: [tuple(p.co) for p in fc.keyframe_points] for fc in fcurves_of(earlier.action)
    }
    actions = sorted(a.name for a in bpy.data.actions)
    ad = key.animation_data
    doc = export_glb(bpy.context.scene, [face], str(tmp_path / "face.glb"))
    assert doc["animations"]  # the file has the takes' weights
    assert ad.action == earlier.action and key[EXPORT_PROP] == earlier.action and ad.use_nla
    after = {
        fc.data_path: [tuple(p.co) for p in fc.keyframe_points] for fc in fcurves_of(ad.action)
    }
    assert after == curves  # the earlier export was not resampled or cleared
    assert sorted(a.name for a in bpy.data.actions) == actions  # the merged action is gone
