"""Head and eye rotation from a bake, keyed on chosen bones as a take beside the face's."""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import bake as bakemod  # noqa: E402
from neurosync_lipsync.blender.keying import find_take  # noqa: E402
from neurosync_lipsync.ids import SCENE_PROP, TAKE_PROP  # noqa: E402

from .clitools import run  # noqa: E402
from .test_registration import draw  # noqa: E402


def add_rig(name="Rig"):
    """An armature with an upright Head bone (quaternion) and two eye bones (Euler)."""
    rig = bpy.data.objects.new(name, bpy.data.armatures.new(name))
    bpy.context.scene.collection.objects.link(rig)
    bpy.context.view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    for bone_name, head, tail in (
        ("Head", (0, 0, 1.5), (0, 0, 1.8)),
        ("Eye.L", (0.03, -0.1, 1.6), (0.03, -0.15, 1.6)),
        ("Eye.R", (-0.03, -0.1, 1.6), (-0.03, -0.15, 1.6)),
    ):
        bone = rig.data.edit_bones.new(bone_name)
        bone.head, bone.tail = head, tail
    bpy.ops.object.mode_set(mode="OBJECT")
    rig.pose.bones["Eye.L"].rotation_mode = "XYZ"
    rig.pose.bones["Eye.R"].rotation_mode = "ZXY"  # the same rotation, in the bone's order
    return rig


RIG = bakemod.RigTargets("Rig", "Head", "Eye.L", "Eye.R")


def _bake(scene, rig=RIG):
    settings = bakemod.BakeSettings(rig=rig)
    request = bakemod.gather(scene, "voice", "Face", settings)
    curves = bakemod.compute(request)
    return bakemod.apply(request, curves), request, curves


def test_bake_keys_head_and_eyes_with_the_results_rotations(scene):
    add_rig()
    action, request, curves = _bake(scene)
    motion = curves.motion
    assert motion.shape == (curves.plan.count, 9)
    assert np.ptp(motion[:, 0]) > 1e-3  # the head sways: the comparison below can fail
    pose = bpy.data.objects["Rig"].pose.bones
    first = curves.plan.first_frame
    for row in (0, curves.plan.count // 3, curves.plan.count - 1):
        scene.frame_set(first + row)
        q = pose["Head"].rotation_quaternion.to_euler("XYZ")
        yaw, pitch, roll = motion[row, 0:3]
        assert (q.x, q.y, q.z) == pytest.approx((pitch, yaw, roll), abs=1e-4)
        for bone, cols in (("Eye.L", slice(3, 6)), ("Eye.R", slice(6, 9))):
            yaw, pitch, roll = motion[row, cols]
            xyz = pose[bone].rotation_euler.to_matrix().to_euler("XYZ")
            assert tuple(xyz) == pytest.approx((pitch, yaw, roll), abs=1e-5)
    scene.frame_set(first + curves.plan.count + 5)  # after the take: the bones are at rest
    assert tuple(pose["Head"].rotation_quaternion) == pytest.approx((1, 0, 0, 0), abs=1e-6)
    # The head take has the face take's identity, on the armature's NLA.
    _, strip, head_action = find_take(bpy.data.objects["Rig"], action[TAKE_PROP])
    assert strip is not None and strip.frame_start == first
    assert head_action != action and head_action[TAKE_PROP] == request.take_id


def test_rebake_replaces_the_head_take(scene):
    rig = add_rig()
    action, request, _ = _bake(scene)
    _bake(scene)
    strips = [s for t in rig.animation_data.nla_tracks for s in t.strips]
    assert len(strips) == 1 and strips[0].action[TAKE_PROP] == request.take_id
    assert sorted(a.name for a in bpy.data.actions if TAKE_PROP in a) == sorted(
        [action.name, strips[0].action.name]
    )
    # A bake without bones leaves the head take alone and keys no bone.
    _bake(scene, rig=None)
    assert len([s for t in rig.animation_data.nla_tracks for s in t.strips]) == 1
    # Removing the take in the take manager removes its head rotation too.
    result = bpy.ops.lipsync.take_remove(object="Face", take=request.take_id)
    assert result == {"FINISHED"}
    assert not [s for t in rig.animation_data.nla_tracks for s in t.strips]
    assert not [a for a in bpy.data.actions if TAKE_PROP in a]


def test_bad_bone_is_refused_before_anything_is_keyed(scene):
    add_rig()
    with pytest.raises(bakemod.BakeError, match="left eye bone: armature 'Rig' has no bone"):
        _bake(scene, bakemod.RigTargets("Rig", "Head", "Nope"))
    assert not [a for a in bpy.data.actions if TAKE_PROP in a]


def test_panel_settings_reach_the_bake(scene):
    rig = add_rig()
    settings = getattr(scene, SCENE_PROP)
    settings.head_armature = rig
    settings.head_bone, settings.left_eye_bone = "Head", "Eye.L"
    from neurosync_lipsync.blender.settings import to_bake_settings

    got = to_bake_settings(settings, bpy.context).rig
    assert got == bakemod.RigTargets("Rig", "Head", "Eye.L", "")
    settings.head_armature = None
    assert to_bake_settings(settings, bpy.context).rig is None
    settings.head_armature = rig
    from neurosync_lipsync.ui.panel_secondary import LIPSYNC_PT_secondary

    log = draw(LIPSYNC_PT_secondary, bpy.context)  # Face Motion lists the armature's bones
    searched = [c[1][1] for c in log if c[0] == "prop_search"]
    assert searched == ["head_bone", "left_eye_bone", "right_eye_bone"]


def test_cli_head_bone_on_a_bake(scene, tmp_path):
    add_rig()
    blend, out = tmp_path / "scene.blend", tmp_path / "out.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    proc = run("--blend", blend, "--strip", "voice", "--object", "Face", "--armature", "Rig",
               "--head-bone", "Head", "--output", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    bpy.ops.wm.open_mainfile(filepath=str(out))
    rig = bpy.data.objects["Rig"]
    strips = [s for t in rig.animation_data.nla_tracks for s in t.strips]
    assert len(strips) == 1
    paths = {fc.data_path for fc in strips[0].action.layers[0].strips[0].channelbags[0].fcurves}
    assert paths == {'pose.bones["Head"].rotation_quaternion'}
