"""Takes through the operators: identity through renames, kept NLA settings, enabled channels,
the take manager, the panel's reasons, and linked faces with a library override."""

from __future__ import annotations

import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import bake as bakemod  # noqa: E402
from neurosync_lipsync.blender.keying import find_take, take_fcurves  # noqa: E402
from neurosync_lipsync.blender.takes import list_takes  # noqa: E402
from neurosync_lipsync.core.naming import CHANNELS  # noqa: E402
from neurosync_lipsync.core.postprocess import region_of  # noqa: E402

from .conftest import add_face  # noqa: E402
from .test_bake import generate, take_names  # noqa: E402
from .test_registration import draw  # noqa: E402


def keyed(action) -> set[str]:
    return {fc.data_path.split('"')[1] for fc in take_fcurves(action)}


def the_take(obj):
    (take,) = list_takes(obj.data.shape_keys)
    return take, find_take(obj.data.shape_keys, take.take_id)


def test_rename_and_rebake_keeps_one_take_and_the_users_settings(scene, tiny_model):
    face = bpy.data.objects["Face"]
    assert generate(tiny_model, strip="voice", object="Face") == {"FINISHED"}
    take, (track, strip, action) = the_take(face)
    uid = scene.sequence_editor.strips["voice"]["lipsync_uid"]
    assert take.take_id == uid and take.strip_name == "voice" and take.model == "tiny_v01a.pth"
    assert (take.first_frame, take.last_frame) == (10, 93) and take.date
    strip.use_animated_influence = True
    strip.influence = 0.4
    strip.keyframe_insert("influence", frame=10)
    strip.blend_type, strip.blend_in, strip.blend_out, strip.mute = "ADD", 3.0, 2.0, True
    scene.sequence_editor.strips["voice"].name = "Anna_line_01"
    face.name = "Anna"
    assert generate(tiny_model, strip="Anna_line_01", object="Anna") == {"FINISHED"}
    assert take_names() == ["LipSync Anna_line_01 - Anna"]
    take, (track2, strip, action2) = the_take(face)
    assert take.take_id == uid and action2 == action and track2 == track
    assert (strip.blend_type, strip.blend_in, strip.blend_out, strip.mute) == ("ADD", 3, 2, True)
    assert strip.use_animated_influence and strip.influence == pytest.approx(0.4)
    strip.influence = 0.0  # a keyed fade-in over the first 8 frames
    strip.keyframe_insert("influence", frame=10)
    strip.influence = 1.0
    strip.keyframe_insert("influence", frame=18)
    scene.sequence_editor.strips["Anna_line_01"].frame_start = 50
    generate(tiny_model, strip="Anna_line_01", object="Anna")
    _, (_, strip, _) = the_take(face)
    points = [tuple(kp.co) for kp in strip.fcurves.find("influence").keyframe_points]
    assert strip.frame_start == 50 and points == [(50.0, 0.0), (58.0, 1.0)]  # moved along


def test_take_from_an_older_version_is_adopted(scene, tiny_model):
    import numpy as np
    from neurosync_lipsync.blender.keying import write_take

    key = bpy.data.objects["Face"].data.shape_keys
    write_take(key, "voice\x1fFace", "LipSync voice - Face", 10, {"jawOpen": np.zeros(5)})
    generate(tiny_model, strip="voice", object="Face")
    assert take_names() == ["LipSync voice - Face"]
    (take,) = list_takes(key)
    assert take.take_id == scene.sequence_editor.strips["voice"]["lipsync_uid"]
    assert take.last_frame == 93


def test_duplicated_strip_is_a_new_take(scene, tiny_model, voice):
    generate(tiny_model, strip="voice", object="Face")
    copy = scene.sequence_editor.strips.new_sound("copy", voice, channel=2, frame_start=300)
    copy["lipsync_uid"] = scene.sequence_editor.strips["voice"]["lipsync_uid"]  # as Shift+D does
    generate(tiny_model, strip="copy", object="Face")
    assert take_names() == ["LipSync copy - Face", "LipSync voice - Face"]
    assert copy["lipsync_uid"] != scene.sequence_editor.strips["voice"]["lipsync_uid"]


def test_region_gain_zero_and_mouth_only_leave_channels_unkeyed(scene, tiny_model):
    key = bpy.data.objects["Face"].data.shape_keys
    key.key_blocks["eyeBlinkLeft"].value = 0.7  # set by hand: must stay
    scene.lipsync.gain_eyes = 0.0
    generate(tiny_model, strip="voice", object="Face")
    names = keyed(bpy.data.actions["LipSync voice - Face"])
    eyes = {c for c in CHANNELS if c.startswith("eye")}
    assert names == set(CHANNELS) - eyes
    scene.frame_set(40)
    assert key.key_blocks["eyeBlinkLeft"].value == pytest.approx(0.7)
    scene.lipsync.gain_eyes = 1.0
    scene.lipsync.channels = "MOUTH"
    generate(tiny_model, strip="voice", object="Face")
    mouth = {c for c in CHANNELS if region_of(c[0].upper() + c[1:]) == "mouth"}
    assert keyed(bpy.data.actions["LipSync voice - Face"]) == mouth and len(mouth) < 52
    scene.frame_set(40)
    assert key.key_blocks["eyeBlinkLeft"].value == pytest.approx(0.7)
    scene.lipsync.channels, scene.lipsync.gain_mouth = "MOUTH", 0.0
    with pytest.raises(RuntimeError, match="no channel of 'Face' is enabled"):
        generate(tiny_model, strip="voice", object="Face")


def test_active_action_warning_and_push_down(scene, tiny_model):
    key = bpy.data.objects["Face"].data.shape_keys
    key.key_blocks["jawOpen"].keyframe_insert("value", frame=1)
    bpy.context.scene.lipsync.target = bpy.data.objects["Face"]
    calls = draw(_panel("LIPSYNC_PT_main"), bpy.context)  # before any take: warned already
    assert ("operator", ("lipsync.push_down_action",), {"icon": "NLA_PUSHDOWN"}) in calls
    settings = bakemod.BakeSettings(model_path=tiny_model)
    request = bakemod.gather(scene, "voice", "Face", settings)
    (warning,) = [w for w in request.warnings if "active action" in w]
    assert "jawOpen" in warning and "Push Down" in warning
    generate(tiny_model, strip="voice", object="Face")
    calls = draw(_panel("LIPSYNC_PT_takes"), bpy.context)
    assert ("operator", ("lipsync.push_down_action",), {"icon": "NLA_PUSHDOWN"}) in calls
    assert bpy.ops.lipsync.push_down_action(object="Face") == {"FINISHED"}
    assert key.animation_data.action is None
    request = bakemod.gather(scene, "voice", "Face", settings)
    assert not [w for w in request.warnings if "active action" in w]
    with pytest.raises(RuntimeError, match="no user action"):
        bpy.ops.lipsync.push_down_action(object="Face")


def test_take_manager_operators(scene, tiny_model):
    face = bpy.data.objects["Face"]
    scene.lipsync.target = face
    generate(tiny_model, strip="voice", object="Face")
    take, (_, strip, _) = the_take(face)
    texts = [kw.get("text") for _, _, kw in draw(_panel("LIPSYNC_PT_takes"), bpy.context)]
    assert "voice" in texts and "Frames 10-93, track LipSync" in texts
    assert bpy.ops.lipsync.take_mute(take=take.take_id) == {"FINISHED"}
    assert strip.mute and list_takes(face.data.shape_keys)[0].muted
    assert bpy.ops.lipsync.take_select(take=take.take_id) == {"FINISHED"}
    assert strip.select and scene.frame_current == 10
    scene.sequence_editor.strips["voice"].frame_start = 40
    bpy.ops.lipsync.take_rebake(take=take.take_id, object="Face")
    take, (_, strip, _) = the_take(face)
    assert take.first_frame == 40 and strip.mute  # moved with the strip, still muted
    assert bpy.ops.lipsync.take_remove(take=take.take_id) == {"FINISHED"}
    assert take_names() == [] and len(face.data.shape_keys.animation_data.nla_tracks) == 0
    with pytest.raises(RuntimeError, match="has no take"):
        bpy.ops.lipsync.take_remove(take=take.take_id)


def test_bake_for_export_operator(scene, tiny_model):
    generate(tiny_model, strip="voice", object="Face")
    assert bpy.ops.lipsync.bake_for_export(object="Face") == {"FINISHED"}
    key = bpy.data.objects["Face"].data.shape_keys
    assert key.animation_data.action.name == "LipSync Export - Face"
    assert len(take_fcurves(key.animation_data.action)) == 52


def _panel(name):
    from neurosync_lipsync.ui import panel

    return getattr(panel, name)


def test_panel_reasons_and_sound_strips_only(scene, voice):
    from neurosync_lipsync.ui.panel import generate_problem
    from neurosync_lipsync.ui.properties import _sound_strip_names

    ctx = bpy.context
    sed = scene.sequence_editor
    try:  # 5.0 takes a length, 4.5 a frame_end
        sed.strips.new_effect("title", "COLOR", channel=3, frame_start=1, length=20)
    except TypeError:
        sed.strips.new_effect("title", "COLOR", channel=3, frame_start=1, frame_end=21)
    assert _sound_strip_names(None, ctx, "") == ["voice"]
    assert generate_problem(ctx) == "Choose a face mesh with shape keys"
    scene.lipsync.target = bpy.data.objects["Face"]
    assert generate_problem(ctx) is None
    scene.lipsync.strip_name = "title"
    assert generate_problem(ctx) == "'title' is not a sound strip of this scene"
    scene.lipsync.strip_name = "voice"
    sed.strips["voice"].mute = True
    texts = [kw.get("text") for _, _, kw in draw(_panel("LIPSYNC_PT_main"), ctx)]
    assert "'voice' is muted: you will not hear it" in texts
    scene.lipsync.target = add_face("Plain", keys=("smile", "frown"))
    assert generate_problem(ctx) == "No shape key of 'Plain' matches an ARKit name"
    calls = draw(_panel("LIPSYNC_PT_main"), ctx)
    assert ("label", (), {"text": generate_problem(ctx), "icon": "INFO"}) in calls
    sed.strips.remove(sed.strips["voice"])
    assert generate_problem(ctx) == "Add a sound strip in the Video Sequencer"


def make_library(path) -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    face = add_face("Hero")
    collection = bpy.data.collections.new("Character")
    bpy.context.scene.collection.objects.unlink(face)
    collection.objects.link(face)
    bpy.context.scene.collection.children.link(collection)
    bpy.ops.wm.save_as_mainfile(filepath=str(path))


def link_character(path, voice, override: bool):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = 24, 1.0
    scene.sequence_editor_create().strips.new_sound("voice", voice, channel=1, frame_start=10)
    with bpy.data.libraries.load(str(path), link=True) as (_, data):
        data.collections = ["Character"]
    (collection,) = data.collections
    scene.collection.children.link(collection)
    if override:  # 5.3 overrides only what is instanced in the scene; keep just the override
        collection.override_hierarchy_create(scene, bpy.context.view_layer)
        scene.collection.children.unlink(collection)
    return next(o for o in scene.objects if o.name == "Hero")


def test_linked_face_without_override_is_refused_before_any_work(addon, tmp_path, voice):
    from neurosync_lipsync.ui.panel import generate_problem

    make_library(tmp_path / "lib.blend")
    hero = link_character(tmp_path / "lib.blend", voice, override=False)
    bpy.context.scene.lipsync.target = hero
    assert "make a library override" in generate_problem(bpy.context)
    with pytest.raises(RuntimeError, match="linked from .*make a library override"):
        generate("", strip="voice", object="Hero")
    assert len(bpy.data.actions) == 0 and hero.data.shape_keys.animation_data is None


def test_overridden_face_keeps_its_bake_after_save_and_reload(addon, tmp_path, tiny_model, voice):
    make_library(tmp_path / "lib.blend")
    hero = link_character(tmp_path / "lib.blend", voice, override=True)
    assert hero.override_library is not None and hero.data.library is not None
    assert generate(tiny_model, strip="voice", object="Hero") == {"FINISHED"}
    key = hero.data.shape_keys
    assert hero.data.override_library is not None and key.library is None
    bpy.context.scene.frame_set(40)
    value = key.key_blocks["jawOpen"].value
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "shot.blend"))
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "shot.blend"))
    hero = bpy.data.objects["Hero"]
    (take,) = list_takes(hero.data.shape_keys)
    assert take.action_name == "LipSync voice - Hero" and take.first_frame == 10
    bpy.context.scene.frame_set(40)
    assert hero.data.shape_keys.key_blocks["jawOpen"].value == pytest.approx(value, abs=1e-6)
    assert value != 0.0
