"""Strip timing (offsets, trims, NTSC rates) and every naming preset, in real Blender."""

from __future__ import annotations

import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender.keying import take_fcurves  # noqa: E402
from neurosync_lipsync.core.naming import PRESET_IDS, PRESETS  # noqa: E402

from .conftest import add_face, preset_keys  # noqa: E402
from .test_bake import expected_values, key_values  # noqa: E402


@pytest.mark.parametrize(
    ("fps", "fps_base", "start", "offset", "trim_start", "trim_end"),
    [
        (30, 1.001, 7, 0.25, 5, 10),  # 29.97 fps, audio delayed by a quarter second
        (24, 1.001, 7, 0.0, 5, 0),  # 23.976 fps, trimmed start decides
        (25, 1.0, 100, -0.5, 0, 20),  # audio starts half a second in
    ],
)
def test_keys_follow_strip_timing(
    scene, tiny_model, fps, fps_base, start, offset, trim_start, trim_end
):
    from neurosync_lipsync.blender import bake as bakemod

    scene.render.fps, scene.render.fps_base = fps, fps_base
    strip = scene.sequence_editor.strips["voice"]
    strip.frame_start = start
    strip.sound_offset = offset
    strip.frame_offset_start = trim_start
    strip.frame_offset_end = trim_end
    rate = scene.render.fps / scene.render.fps_base  # fps_base is stored as float32
    # Audio second t plays at frame_start + (t + sound_offset) * rate; audible from the trim on.
    first = max(start + trim_start, math.ceil(start + offset * rate - 1e-9))
    t_first = (first - start) / rate - offset
    end = min(strip.frame_final_end - 1, math.floor(start + (3.5 + offset) * rate + 1e-9))

    assert bpy.ops.lipsync.generate(strip="voice", object="Face", model=tiny_model) == {"FINISHED"}
    request = bakemod.gather(scene, "voice", "Face", bakemod.BakeSettings(model_path=tiny_model))
    plan, want = expected_values(request, tiny_model)
    assert (plan.first_frame, plan.last_frame) == (first, end)
    assert plan.start_time == pytest.approx(t_first, abs=1e-9)
    frames, values = key_values(bpy.data.actions["LipSync voice - Face"], "jawOpen")
    np.testing.assert_array_equal(frames, np.arange(first, end + 1))
    np.testing.assert_allclose(values, want[:, 17], atol=1e-6)


@pytest.mark.parametrize("pid", PRESET_IDS)
def test_every_naming_preset_is_detected_and_keyed(scene, tiny_model, pid):
    extra = ("viseme_aa", "viseme_PP") if pid == "rpm" else ()
    add_face("Rig", keys=preset_keys(pid), extra=extra)
    assert bpy.ops.lipsync.generate(strip="voice", object="Rig", model=tiny_model) == {"FINISHED"}
    action = bpy.data.actions["LipSync voice - Rig"]
    paths = {fc.data_path for fc in take_fcurves(action)}
    assert paths == {f'key_blocks["{k}"].value' for k in preset_keys(pid)}
    from neurosync_lipsync.blender import bake as bakemod

    request = bakemod.gather(scene, "voice", "Rig", bakemod.BakeSettings())
    assert request.preset == pid
    if pid == "cc4_extended":  # one channel drives four keys with the same curve
        targets = PRESETS[pid].targets[19]  # mouthFunnel
        curves = [key_values(action, k)[1] for k in targets]
        assert len(curves) == 4 and all(np.array_equal(c, curves[0]) for c in curves)
