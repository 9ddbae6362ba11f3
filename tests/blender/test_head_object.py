"""Head rotation from a bake keyed on a chosen object, composed onto its own rotation."""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import bake as bakemod  # noqa: E402
from neurosync_lipsync.blender.keying import find_take  # noqa: E402
from neurosync_lipsync.ids import SCENE_PROP, TAKE_PROP  # noqa: E402

from .clitools import error_lines, run  # noqa: E402


def add_empty(name="HeadPivot", mode="YZX"):
    """An empty with a rest rotation, in rotation mode ``mode``."""
    from mathutils import Euler

    obj = bpy.data.objects.new(name, None)
    bpy.context.scene.collection.objects.link(obj)
    obj.rotation_mode = mode
    rest = Euler((0.3, -0.2, 1.1), "XYZ").to_quaternion()
    if mode == "QUATERNION":
        obj.rotation_quaternion = rest
    elif mode == "AXIS_ANGLE":
        axis, angle = rest.to_axis_angle()
        obj.rotation_axis_angle = (angle, *axis)
    else:
        obj.rotation_euler = rest.to_euler(mode)
    return obj, rest


def _bake(scene, head_object="HeadPivot", rig=None):
    settings = bakemod.BakeSettings(rig=rig, head_object=head_object)
    request = bakemod.gather(scene, "voice", "Face", settings)
    curves = bakemod.compute(request)
    return bakemod.apply(request, curves), request, curves


def _strips(obj):
    return [s for t in obj.animation_data.nla_tracks for s in t.strips]


@pytest.mark.parametrize("mode", ["YZX", "XYZ", "QUATERNION", "AXIS_ANGLE"])
def test_object_turns_by_the_head_channels_on_top_of_its_rest(scene, mode):
    from mathutils import Euler

    obj, rest = add_empty(mode=mode)
    action, request, curves = _bake(scene)
    head = curves.motion[:, 0:3]
    assert np.ptp(head[:, 0]) > 1e-3  # the head sways: the comparison below can fail
    first, count = curves.plan.first_frame, curves.plan.count
    for row in (0, count // 3, count - 1):
        scene.frame_set(first + row)
        yaw, pitch, roll = head[row]
        want = (rest @ Euler((pitch, yaw, roll), "XYZ").to_quaternion()).to_matrix()
        got = obj.matrix_world.to_3x3()
        assert np.allclose(np.array(got), np.array(want), atol=1e-4)
    for frame in (first - 5, first + count + 5):  # outside the take: the rest, not 0
        scene.frame_set(frame)
        assert np.allclose(np.array(obj.matrix_world.to_3x3()), np.array(rest.to_matrix()),
                           atol=1e-5)  # fmt: skip
    _, strip, obj_action = find_take(obj, action[TAKE_PROP])
    assert strip is not None and obj_action[TAKE_PROP] == request.take_id != ""
    assert obj_action != action


def test_rebake_replaces_and_removal_removes_the_object_take(scene):
    obj, rest = add_empty()
    action, request, _ = _bake(scene)
    scene.frame_set(40)  # inside the take
    _bake(scene)  # from inside the take: the rest stays the first bake's
    strips = _strips(obj)
    assert len(strips) == 1 and strips[0].action[TAKE_PROP] == request.take_id
    scene.frame_set(1)
    assert np.allclose(np.array(obj.matrix_world.to_3x3()), np.array(rest.to_matrix()), atol=1e-5)
    result = bpy.ops.lipsync.take_remove(object="Face", take=request.take_id)
    assert result == {"FINISHED"}
    assert not _strips(obj)
    assert not [a for a in bpy.data.actions if TAKE_PROP in a]


def test_the_face_itself_can_take_the_head_rotation(scene):
    action, request, curves = _bake(scene, head_object="Face")
    face = bpy.data.objects["Face"]
    assert len(_strips(face)) == 1 and find_take(face, request.take_id)[2] is not None
    assert find_take(face.data.shape_keys, request.take_id)[2] == action


def test_bad_head_object_is_refused_before_anything_is_keyed(scene):
    with pytest.raises(bakemod.BakeError, match="head object: no object named 'Nope'"):
        _bake(scene, head_object="Nope")
    assert not [a for a in bpy.data.actions if TAKE_PROP in a]


def test_the_eye_bones_armature_is_refused_as_head_object(scene):
    from .test_bone_takes import add_rig

    add_rig()
    rig = bakemod.RigTargets("Rig", "", "Eye.L")
    with pytest.raises(bakemod.BakeError, match="head object 'Rig' is the eye bones' armature"):
        _bake(scene, head_object="Rig", rig=rig)
    assert not [a for a in bpy.data.actions if TAKE_PROP in a]


def test_panel_head_object_and_the_bone_wins(scene):
    from neurosync_lipsync.blender.settings import to_bake_settings
    from neurosync_lipsync.ui.panel_secondary import LIPSYNC_PT_secondary

    from .test_bone_takes import add_rig
    from .test_registration import draw

    obj, _ = add_empty()
    settings = getattr(scene, SCENE_PROP)
    settings.head_object = obj
    assert to_bake_settings(settings, bpy.context).head_object == "HeadPivot"
    settings.head_armature, settings.head_bone = add_rig(), "Head"
    assert to_bake_settings(settings, bpy.context).head_object == ""  # the head bone wins
    log = draw(LIPSYNC_PT_secondary, bpy.context)
    assert any(c[0] == "prop" and c[1][1] == "head_object" for c in log)


def test_cli_head_object(scene, tmp_path):
    add_empty()
    blend, out = tmp_path / "scene.blend", tmp_path / "out.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    base = ("--blend", blend, "--strip", "voice", "--object", "Face", "--output", out)
    proc = run(*base, "--head-object", "Nope")
    assert proc.returncode == 2
    assert error_lines(proc.stderr) == ["error: head object: no object named 'Nope'"]
    assert not out.exists()
    proc = run(*base, "--head-object", "HeadPivot", "--armature", "Rig", "--head-bone", "Head")
    assert proc.returncode == 2
    assert error_lines(proc.stderr) == ["error: give --head-bone or --head-object, not both"]
    proc = run(*base, "--head-object", "HeadPivot")
    assert proc.returncode == 0, proc.stderr
    bpy.ops.wm.open_mainfile(filepath=str(out))
    strips = _strips(bpy.data.objects["HeadPivot"])
    assert len(strips) == 1
    paths = {fc.data_path for fc in strips[0].action.layers[0].strips[0].channelbags[0].fcurves}
    assert paths == {"rotation_euler"}
