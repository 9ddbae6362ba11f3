"""The operator on a fixture scene: keyed values, re-bake, non-destructive rules, cancel."""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import bake as bakemod  # noqa: E402
from neurosync_lipsync.blender.keying import take_fcurves  # noqa: E402
from neurosync_lipsync.blender.layers import is_take_track  # noqa: E402
from neurosync_lipsync.core.naming import CHANNELS  # noqa: E402

from .conftest import add_face  # noqa: E402


def generate(model, **kw):
    return bpy.ops.lipsync.generate(model=model, **kw)


def take_names() -> list[str]:
    """Take actions (the base under them is a separate action, not a take)."""
    return sorted(a.name for a in bpy.data.actions if "lipsync_take" in a)


def setup_panel(scene, strip="voice", obj="Face"):
    scene.lipsync.strip_name = strip
    scene.lipsync.target = bpy.data.objects[obj]


def expected_values(request, model):
    """The core's own output for the strip's frames, computed independently."""
    from neurosync_lipsync.blender.timing import plan_frames
    from neurosync_lipsync.core.audio import read_audio
    from neurosync_lipsync.core.pipeline import generate as core_generate
    from neurosync_lipsync.core.postprocess import ProductOptions

    audio = read_audio(request.audio)
    plan = plan_frames(request.timing, audio.duration)
    options = ProductOptions(fps=plan.fps, start_time=plan.start_time, duration=plan.duration)
    result = core_generate(audio, model=model, options=options)
    return plan, result.values[: plan.count, :52]


def key_values(action, shape_key):
    fc = next(f for f in take_fcurves(action) if f.data_path == f'key_blocks["{shape_key}"].value')
    co = np.empty(2 * len(fc.keyframe_points), dtype=np.float32)
    fc.keyframe_points.foreach_get("co", co)
    return co[0::2], co[1::2]


def test_operator_keys_core_output_at_scene_fps(scene, tiny_model):
    setup_panel(scene)
    assert generate(tiny_model) == {"FINISHED"}
    request = bakemod.gather(scene, "voice", "Face", bakemod.BakeSettings(model_path=tiny_model))
    plan, want = expected_values(request, tiny_model)
    assert plan.first_frame == 10 and plan.count == 84 and plan.start_time == 0.0
    action = bpy.data.actions["LipSync voice - Face"]
    assert len(take_fcurves(action)) == 52
    for channel in (CHANNELS.index("jawOpen"), 0, 51):
        frames, values = key_values(action, CHANNELS[channel])
        np.testing.assert_array_equal(frames, np.arange(10, 94))  # the take's frames only
        np.testing.assert_allclose(values, want[:, channel], atol=1e-6)
    key = bpy.data.objects["Face"].data.shape_keys
    jaw = key.key_blocks["jawOpen"]
    for frame in (10, 40, 93):
        scene.frame_set(frame)
        assert jaw.value == pytest.approx(want[frame - 10, 17], abs=1e-6)
    for frame in (-50, 0, 9, 94, 500):  # 5.0's default of 1.0 must not leak outside the take
        scene.frame_set(frame)
        assert jaw.value == 0.0 and key.key_blocks["tongueOut"].value == 0.0
    track = key.animation_data.nla_tracks["LipSync"]
    (strip,) = track.strips
    assert (strip.frame_start, strip.frame_end, strip.extrapolation) == (10, 93, "NOTHING")
    assert [t.name for t in key.animation_data.nla_tracks] == ["LipSync Base", "LipSync"]


def test_rebake_replaces_the_take(scene, tiny_model):
    setup_panel(scene)
    generate(tiny_model)
    key = bpy.data.objects["Face"].data.shape_keys
    before = key_values(bpy.data.actions["LipSync voice - Face"], "jawOpen")
    scene.sequence_editor.strips["voice"].frame_start = 30
    for _ in range(2):
        assert generate(tiny_model) == {"FINISHED"}
    assert take_names() == ["LipSync voice - Face"]
    assert [t.name for t in key.animation_data.nla_tracks] == ["LipSync Base", "LipSync"]
    (strip,) = key.animation_data.nla_tracks["LipSync"].strips
    assert strip.frame_start == 30
    frames, values = key_values(bpy.data.actions["LipSync voice - Face"], "jawOpen")
    assert frames[0] == 30
    np.testing.assert_array_equal(values, before[1])


def test_hand_animation_other_objects_and_other_takes_untouched(scene, tiny_model, voice):
    face = bpy.data.objects["Face"]
    face.shape_key_add(name="myBlink").value = 0.0
    key = face.data.shape_keys
    key.key_blocks["myBlink"].value = 0.7
    key.key_blocks["myBlink"].keyframe_insert("value", frame=5)
    key.key_blocks["jawOpen"].value = 0.3  # a hand key on a channel the take also drives
    key.key_blocks["jawOpen"].keyframe_insert("value", frame=200)
    user_action = key.animation_data.action
    other = add_face("Other")
    other.location.x = 2.0
    other.keyframe_insert("location", frame=1)
    sed = scene.sequence_editor
    sed.strips.new_sound("line2", voice, channel=2, frame_start=300)
    assert generate(tiny_model, strip="line2", object="Face") == {"FINISHED"}
    generate(tiny_model, strip="voice", object="Face")
    generate(tiny_model, strip="voice", object="Face")
    assert key.animation_data.action == user_action
    paths = sorted(fc.data_path for fc in take_fcurves(user_action))
    assert paths == ['key_blocks["jawOpen"].value', 'key_blocks["myBlink"].value']
    assert other.data.shape_keys.animation_data is None
    assert other.animation_data.action.name != "LipSync"
    takes = sorted(a.name for a in bpy.data.actions if "lipsync_take" in a)
    assert takes == ["LipSync line2 - Face", "LipSync voice - Face"]
    (track,) = [t for t in key.animation_data.nla_tracks if is_take_track(t)]
    strips = sorted(track.strips, key=lambda s: s.frame_start)
    assert [s.extrapolation for s in strips] == ["NOTHING", "NOTHING"]
    scene.frame_set(5)
    assert key.key_blocks["myBlink"].value == pytest.approx(0.7)
    assert key.key_blocks["jawOpen"].value == pytest.approx(0.3)  # the active action still wins
    scene.frame_set(150)  # between the takes: back at rest
    assert key.key_blocks["mouthSmileLeft"].value == 0.0


def test_overlapping_takes_go_on_a_second_track(scene, tiny_model, voice):
    scene.sequence_editor.strips.new_sound("overlap", voice, channel=2, frame_start=40)
    generate(tiny_model, strip="voice", object="Face")
    generate(tiny_model, strip="overlap", object="Face")
    tracks = bpy.data.objects["Face"].data.shape_keys.animation_data.nla_tracks
    assert [t.name for t in tracks] == ["LipSync Base", "LipSync", "LipSync.001"]
    assert tracks["LipSync.001"].strips[0].extrapolation == "NOTHING"


def test_active_action_output_and_refusal(scene, tiny_model):
    setup_panel(scene)
    scene.lipsync.output = "ACTION"
    assert generate(tiny_model) == {"FINISHED"}
    key = bpy.data.objects["Face"].data.shape_keys
    assert key.animation_data.action.name == "LipSync voice - Face"
    assert len(key.animation_data.nla_tracks) == 0
    assert generate(tiny_model) == {"FINISHED"}  # its own take: replaced
    scene.frame_set(0)
    assert key.key_blocks["jawOpen"].value == 0.0
    key.animation_data.action = bpy.data.actions.new("hand")
    with pytest.raises(RuntimeError, match="already use action 'hand'"):
        generate(tiny_model)
    assert key.animation_data.action.name == "hand"


def test_failed_run_writes_nothing(scene, tmp_path):
    setup_panel(scene)
    bad = tmp_path / "broken.pth"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(RuntimeError, match="Lip sync"):
        generate(str(bad))
    assert len(bpy.data.actions) == 0
    assert bpy.data.objects["Face"].data.shape_keys.animation_data is None
    assert "lipsync_uid" not in scene.sequence_editor.strips["voice"]


def test_cancel_leaves_nothing(scene, tiny_model):
    from neurosync_lipsync.blender.job import BakeJob

    request = bakemod.gather(scene, "voice", "Face", bakemod.BakeSettings(model_path=tiny_model))
    job = BakeJob(request)
    job.cancel()
    job.start()
    job.thread.join(60)
    kinds = [m[0] for m in job.poll()]
    assert kinds[-1] == "cancelled"
    assert len(bpy.data.actions) == 0


def test_background_job_result_equals_synchronous(scene, tiny_model):
    from neurosync_lipsync.blender.job import BakeJob

    request = bakemod.gather(scene, "voice", "Face", bakemod.BakeSettings(model_path=tiny_model))
    job = BakeJob(request)
    job.start()
    job.thread.join(120)
    messages = job.poll()
    assert [m[0] for m in messages][-1] == "done"
    assert any(m[0] == "progress" for m in messages)
    sync = bakemod.compute(request)
    np.testing.assert_array_equal(messages[-1][1].values, sync.values)
    assert len(bpy.data.actions) == 0  # the worker never writes


def test_packed_and_relative_sounds(scene, tiny_model, voice, tmp_path):
    import shutil

    shutil.copy(voice, tmp_path / "line.wav")
    bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "scene.blend"))
    sound = scene.sequence_editor.strips["voice"].sound
    sound.filepath = "//line.wav"
    request = bakemod.gather(scene, "voice", "Face", bakemod.BakeSettings())
    assert request.audio == str(tmp_path / "line.wav")
    sound.pack()
    request = bakemod.gather(scene, "voice", "Face", bakemod.BakeSettings())
    assert isinstance(request.audio, bytes)
    assert generate(tiny_model, strip="voice", object="Face") == {"FINISHED"}
    assert len(take_fcurves(bpy.data.actions["LipSync voice - Face"])) == 52


def test_errors_are_reported(scene, tiny_model, voice):
    with pytest.raises(RuntimeError, match="choose a face mesh"):
        generate(tiny_model)  # the only strip is taken; no face chosen, none active
    bpy.context.view_layer.objects.active = bpy.data.objects["Face"]
    assert generate(tiny_model) == {"FINISHED"}
    assert "LipSync voice - Face" in bpy.data.actions
    scene.sequence_editor.strips.new_sound("second", voice, channel=2, frame_start=300)
    with pytest.raises(RuntimeError, match="choose a sound strip"):
        generate(tiny_model)
    with pytest.raises(RuntimeError, match="no sound strip named 'nope'"):
        generate(tiny_model, strip="nope", object="Face")
    add_face("Plain", keys=("smile", "frown"))
    with pytest.raises(RuntimeError, match="match an ARKit name"):
        generate(tiny_model, strip="voice", object="Plain")


def write_aac(voice, tmp_path) -> str:
    """The voice as AAC in Matroska: a format soundfile cannot read, Blender's aud can."""
    import aud

    path = str(tmp_path / "voice_aac.mka")
    aud.Sound(voice).write(
        path,
        rate=44100,
        channels=aud.CHANNELS_MONO,
        format=aud.FORMAT_S16,
        container=aud.CONTAINER_MATROSKA,
        codec=aud.CODEC_AAC,
        bitrate=128000,
    )
    return path


def test_formats_soundfile_cannot_read_go_through_aud(scene, tiny_model, voice, tmp_path):
    path = write_aac(voice, tmp_path)
    scene.sequence_editor.strips.new_sound("aac", path, channel=2, frame_start=200)
    assert generate(tiny_model, strip="aac", object="Face") == {"FINISHED"}
    frames, values = key_values(bpy.data.actions["LipSync aac - Face"], "jawOpen")
    assert frames[0] == 200 and len(frames) >= 80 and values.max() > 0


def test_packed_aac_and_unreadable_sound(scene, tiny_model, voice, tmp_path):
    path = write_aac(voice, tmp_path)
    strip = scene.sequence_editor.strips.new_sound("aac", path, channel=2, frame_start=200)
    strip.sound.pack()
    request = bakemod.gather(scene, "aac", "Face", bakemod.BakeSettings(model_path=tiny_model))
    assert isinstance(request.audio, bytes)
    assert bakemod.compute(request).plan.count >= 80
    garbage = tmp_path / "noise.wav"
    garbage.write_bytes(b"RIFF" + bytes(range(256)) * 8)
    scene.sequence_editor.strips.new_sound("bad", str(voice), channel=3, frame_start=400)
    scene.sequence_editor.strips["bad"].sound.filepath = str(garbage)
    with pytest.raises(RuntimeError, match="noise.wav"):
        generate(tiny_model, strip="bad", object="Face")
    assert "LipSync bad - Face" not in bpy.data.actions


def test_aud_fallback_refuses_unreadable_file_without_crashing(tmp_path):
    import aud
    from neurosync_lipsync.core.errors import NotAudioError

    junk = tmp_path / "junk.m4a"
    junk.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(NotAudioError, match="junk.m4a"):
        bakemod._read_with_aud(aud, str(junk), str(junk))
