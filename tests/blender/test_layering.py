"""How a take layers (no engine): over static sliders, the user's lower NLA tracks and the active
action, at influence 1, 0.5 and with a blend-in; outside its frames it changes nothing.

Expected values are computed from what lies beneath, so they hold whatever the shape keys'
default value is (1.0 in Blender 5.0, 0.0 before).
"""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import keying, layers  # noqa: E402
from neurosync_lipsync.blender.actions import shape_key_path  # noqa: E402
from neurosync_lipsync.blender.takes import fit_name, take_name  # noqa: E402

from .conftest import add_face  # noqa: E402

KEYS = ("jawOpen", "mouthClose", "eyeBlinkLeft")
FIRST, COUNT, TAKE = 100, 50, 0.8
JAW = shape_key_path("jawOpen")


@pytest.fixture
def key():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return add_face("Face", keys=KEYS).data.shape_keys


def bake(key, take_id="t1", first=FIRST, value=TAKE, keys=KEYS):
    curves = {k: np.full(COUNT, value, dtype=np.float32) for k in keys}
    keying.write_take(key, take_id, f"Take {take_id}", first, curves)
    return keying.find_take(key, take_id)[1]


def at(key, frame, name="jawOpen"):
    bpy.context.scene.frame_set(frame)
    return key.key_blocks[name].value


def set_influence(strip, value):
    strip.use_animated_influence = True
    strip.influence = value
    strip.keyframe_insert("influence", frame=int(strip.frame_start))


def user_action(key, values: dict, frames=(0, 300)):
    """An action of the user's keying ``values`` (name -> value) flat over ``frames``."""
    for name, value in values.items():
        kb = key.key_blocks[name]
        for frame in frames:
            kb.value = value
            kb.keyframe_insert("value", frame=frame)
    return key.animation_data.action


def user_track(key, values: dict, name="Hand"):
    """The user's own NLA track (below ours), holding ``values`` over frames 0-300."""
    action = user_action(key, values)
    ad = key.animation_data
    slot = getattr(ad, "action_slot", None)
    ad.action = None
    track = ad.nla_tracks.new()
    track.name = name
    strip = track.strips.new(action.name, 0, action)
    if slot is not None:
        strip.action_slot = slot
    strip.extrapolation = "HOLD"
    return track


def test_over_static_sliders(key):
    sliders = {"jawOpen": 0.2, "mouthClose": 0.0, "eyeBlinkLeft": 0.15}
    for name, value in sliders.items():
        key.key_blocks[name].value = value
    strip = bake(key)
    for name, value in sliders.items():
        for frame in (-20, 50, 99, 150, 400):  # outside: the sliders as they were
            assert at(key, frame, name) == pytest.approx(value, abs=1e-6)
        assert at(key, 120, name) == pytest.approx(TAKE, abs=1e-6)
    set_influence(strip, 0.5)
    for name, value in sliders.items():
        assert at(key, 120, name) == pytest.approx(0.5 * TAKE + 0.5 * value, abs=1e-6)
        assert at(key, 99, name) == pytest.approx(value, abs=1e-6)
    strip.use_animated_influence = False
    strip.blend_in = 10
    assert at(key, FIRST) == pytest.approx(0.2, abs=1e-6)  # blend-in starts at what lies below
    assert at(key, FIRST + 5) == pytest.approx(0.5 * TAKE + 0.5 * 0.2, abs=1e-5)
    assert at(key, FIRST + 20) == pytest.approx(TAKE, abs=1e-6)
    strip.blend_in = 0
    strip.blend_type = "ADD"
    assert at(key, 120, "eyeBlinkLeft") == pytest.approx(0.15 + TAKE, abs=1e-6)
    assert at(key, 200, "eyeBlinkLeft") == pytest.approx(0.15, abs=1e-6)


def test_over_user_lower_tracks(key):
    key.key_blocks["mouthClose"].value = 0.1
    hand = user_track(key, {"jawOpen": 0.4}, name="LipSync.001")  # named like ours: still theirs
    strip = bake(key)
    ad = key.animation_data
    assert [t.name for t in ad.nla_tracks] == ["LipSync.001", "LipSync Base", "LipSync"]
    base = layers.base_track(ad).strips[0]
    assert layers.strip_paths(base) == {shape_key_path(k) for k in ("mouthClose", "eyeBlinkLeft")}
    for frame in (50, 99, 150, 300):
        assert at(key, frame) == pytest.approx(0.4, abs=1e-6)  # the user's track shows through
        assert at(key, frame, "mouthClose") == pytest.approx(0.1, abs=1e-6)
    assert at(key, 120) == pytest.approx(TAKE, abs=1e-6)
    set_influence(strip, 0.5)
    assert at(key, 120) == pytest.approx(0.5 * TAKE + 0.5 * 0.4, abs=1e-6)
    assert at(key, 120, "mouthClose") == pytest.approx(0.5 * TAKE + 0.5 * 0.1, abs=1e-6)
    strip.use_animated_influence = False
    strip.blend_in = 10
    assert at(key, FIRST) == pytest.approx(0.4, abs=1e-6)
    assert at(key, FIRST + 5) == pytest.approx(0.5 * TAKE + 0.5 * 0.4, abs=1e-5)
    # The user's track was never changed, and removing the take leaves it alone.
    assert keying.remove_take(key, "t1")
    assert [t.name for t in ad.nla_tracks] == ["LipSync.001"]
    assert hand.strips[0].action.name != "Take t1"
    assert at(key, 120) == pytest.approx(0.4, abs=1e-6)


def test_over_the_active_action_after_push_down(key):
    action = user_action(key, {"jawOpen": 0.4})
    bake(key)
    assert layers.conflicts(key, [JAW, shape_key_path("mouthClose")]) == [JAW]
    assert at(key, 120) == pytest.approx(0.4, abs=1e-6)  # hidden: why the panel warns
    track = layers.push_down_active(key)
    ad = key.animation_data
    assert ad.action is None and track.strips[0].action == action
    assert [t.name for t in ad.nla_tracks] == [action.name, "LipSync Base", "LipSync"]
    assert layers.conflicts(key, [JAW]) == []
    strip = keying.find_take(key, "t1")[1]
    assert at(key, 120) == pytest.approx(TAKE, abs=1e-6)
    assert at(key, 50) == pytest.approx(0.4, abs=1e-6)
    set_influence(strip, 0.5)
    assert at(key, 120) == pytest.approx(0.5 * TAKE + 0.5 * 0.4, abs=1e-6)
    assert at(key, 120, "eyeBlinkLeft") == pytest.approx(0.5 * TAKE, abs=1e-6)


def test_active_action_output_over_user_tracks(key):
    key.key_blocks["mouthClose"].value = 0.1
    user_track(key, {"jawOpen": 0.4})
    curves = {k: np.full(COUNT, TAKE, dtype=np.float32) for k in KEYS}
    keying.write_take(key, "t1", "Take t1", FIRST, curves, mode="ACTION")
    ad = key.animation_data
    assert ad.action.name == "Take t1" and ad.action_extrapolation == "NOTHING"
    for frame in (FIRST - 1, 300):
        assert at(key, frame) == pytest.approx(0.4, abs=1e-6)
        assert at(key, frame, "mouthClose") == pytest.approx(0.1, abs=1e-6)
    assert at(key, 120) == pytest.approx(TAKE, abs=1e-6)
    ad.action_influence = 0.5
    assert at(key, 120) == pytest.approx(0.5 * TAKE + 0.5 * 0.4, abs=1e-6)


def test_overlapping_takes_and_rebake_keep_settings(key):
    first = bake(key, "a")
    second = bake(key, "b", first=FIRST + 20, value=0.3)  # overlaps: a track above
    ad = key.animation_data
    assert [t.name for t in ad.nla_tracks] == ["LipSync Base", "LipSync", "LipSync.001"]
    set_influence(second, 0.5)
    assert at(key, 130) == pytest.approx(0.5 * 0.3 + 0.5 * TAKE, abs=1e-6)
    first.blend_type, first.blend_out, first.mute = "COMBINE", 4.0, True
    again = bake(key, "a", first=FIRST + 1, value=0.6)
    assert (again.blend_type, again.blend_out, again.mute) == ("COMBINE", 4.0, True)
    assert again.frame_start == FIRST + 1 and again.extrapolation == "NOTHING"
    again2 = bake(key, "b", first=FIRST + 20, value=0.3)
    assert again2.use_animated_influence and again2.influence == pytest.approx(0.5)
    assert sorted(a.name for a in bpy.data.actions if "lipsync_take" in a) == ["Take a", "Take b"]


def test_names_keep_the_object_within_63_bytes():
    assert take_name("voice", "Face") == "LipSync voice - Face"
    long = take_name("Scene_042_Anna_dialogue_take_07_final_mastered_v3", "Anna_Head_Geo")
    assert len(long.encode()) <= 63 and long.endswith(" - Anna_Head_Geo")
    assert long.startswith("LipSync Scene_042_Anna")
    wide = take_name("ダイアログ" * 10, "顔メッシュ")
    assert len(wide.encode()) <= 63 and wide.endswith(" - 顔メッシュ")
    wide.encode().decode()  # cut on a character boundary
    huge = fit_name("LipSync", "O" * 80, "voice")
    assert len(huge.encode()) <= 63 and "OOOO" in huge
