"""Bulk keying on its own (no engine, no sound): runs on bpy 4.2 (legacy actions) and 5.x.

.venv/bin/python -m pytest tests/blender/test_keying.py
<4.2 venv>/bin/python -m pytest -p no:cacheprovider tests/blender/test_keying.py
"""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import keying  # noqa: E402
from neurosync_lipsync.blender.takes import list_takes  # noqa: E402

KEYS = ("jawOpen", "mouthClose", "eyeBlinkLeft")


@pytest.fixture
def key():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    mesh = bpy.data.meshes.new("Face")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    obj = bpy.data.objects.new("Face", mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.shape_key_add(name="Basis")
    for name in (*KEYS, "hand"):
        obj.shape_key_add(name=name).value = 0.0
    return mesh.shape_keys


def curves(count=50, seed=0):
    rng = np.random.default_rng(seed)
    return {k: (0.1 + 0.8 * rng.random(count)).astype(np.float32) for k in KEYS}


def takes() -> list[str]:
    return sorted(a.name for a in bpy.data.actions if "lipsync_take" in a)


def values_at(key, frame):
    bpy.context.scene.frame_set(frame)
    return {k: key.key_blocks[k].value for k in KEYS}


def test_values_exact_and_zero_outside(key):
    data = curves()
    keying.write_take(key, "t1", "Take 1", 100, data)
    for frame in (100, 120, 149):
        got = values_at(key, frame)
        for k in KEYS:
            assert got[k] == pytest.approx(float(data[k][frame - 100]), abs=1e-6)
    for frame in (-10, 0, 99, 150, 1000):
        assert set(values_at(key, frame).values()) == {0.0}
    base, track = key.animation_data.nla_tracks
    assert track.name == "LipSync" and track.strips[0].extrapolation == "NOTHING"
    assert base.name == "LipSync Base" and base.strips[0].extrapolation == "HOLD"
    interp = {
        kp.interpolation
        for fc in keying.take_fcurves(bpy.data.actions["Take 1"])
        for kp in fc.keyframe_points
    }
    assert interp == {"LINEAR"}


def test_replace_same_take_keep_others(key):
    keying.write_take(key, "t1", "Take 1", 10, curves(seed=1))
    keying.write_take(key, "t2", "Take 2", 200, curves(seed=2))
    data = curves(count=30, seed=3)
    keying.write_take(key, "t1", "Take 1", 60, data)
    assert takes() == ["Take 1", "Take 2"]
    base, track = key.animation_data.nla_tracks
    starts = sorted(s.frame_start for s in track.strips)
    assert starts == [60, 200]
    assert values_at(key, 70)["jawOpen"] == pytest.approx(float(data["jawOpen"][10]), abs=1e-6)
    assert values_at(key, 20)["jawOpen"] == 0.0  # the old position of take 1 is empty now
    assert values_at(key, 210)["jawOpen"] != 0.0  # take 2 untouched


def test_active_action_mode_and_hand_keys(key):
    hand = key.key_blocks["hand"]
    hand.value = 0.5
    hand.keyframe_insert("value", frame=1)
    user = key.animation_data.action
    with pytest.raises(keying.KeyingError, match="already use action"):
        keying.write_take(key, "t1", "Take 1", 10, curves(), mode="ACTION")
    keying.write_take(key, "t1", "Take 1", 10, curves())  # NLA beside the user's action
    assert key.animation_data.action == user
    assert values_at(key, 5)["jawOpen"] == 0.0 and hand.value == pytest.approx(0.5)
    key.animation_data.action = None
    keying.write_take(key, "t1", "Take 1", 10, curves(), mode="ACTION")
    assert key.animation_data.action.name == "Take 1"
    (take,) = list_takes(key)
    assert (take.first_frame, take.last_frame, take.track_name) == (10, 59, "")
    assert len(key.animation_data.nla_tracks) == 0


def test_remove_take(key):
    keying.write_take(key, "t1", "Take 1", 10, curves())
    assert len(bpy.data.actions) == 2  # the take and the base under it
    assert keying.remove_take(key, "t1")
    assert len(bpy.data.actions) == 0 and len(key.animation_data.nla_tracks) == 0
    assert not keying.remove_take(key, "t1")
