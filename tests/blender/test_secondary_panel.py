"""The "Face Motion" panel: its settings reach the bake, and the bake carries the motion."""

from __future__ import annotations

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import bake as bakemod  # noqa: E402
from neurosync_lipsync.blender.settings import to_bake_settings  # noqa: E402
from neurosync_lipsync.core.naming import CHANNELS  # noqa: E402
from neurosync_lipsync.core.secondary import SecondaryOptions  # noqa: E402


def test_panel_registered_and_everything_on_by_default(scene):
    assert hasattr(bpy.types, "LIPSYNC_PT_secondary")
    settings = to_bake_settings(scene.lipsync, bpy.context)
    ones = {"blinks": 1.0, "gaze": 1.0, "brows": 1.0, "head": 1.0}
    assert settings.product.secondary == SecondaryOptions(strengths=ones)
    assert settings.product.emotion is None and settings.product.emotion_intensity == 1.0


def test_switches_strengths_seed_and_emotion_reach_the_bake(scene):
    props = scene.lipsync
    props.secondary_gaze = False
    props.strength_head = 0.5
    props.secondary_seed = 9
    props.directed_emotion = "Surprised"
    props.emotion_intensity = 0.4
    settings = to_bake_settings(props, bpy.context)
    assert settings.product.secondary == SecondaryOptions(
        gaze=False, seed=9, strengths={"blinks": 1.0, "gaze": 1.0, "brows": 1.0, "head": 0.5}
    )
    assert settings.product.emotion == "Surprised"
    assert settings.product.emotion_intensity == pytest.approx(0.4)


def test_bake_carries_blinks_brows_and_the_directed_emotion(scene):
    """Default model, directed Happy: the baked curves are the core's with the same options."""
    from neurosync_lipsync.blender.timing import plan_frames
    from neurosync_lipsync.core.audio import read_audio
    from neurosync_lipsync.core.pipeline import generate
    from neurosync_lipsync.core.postprocess import ProductOptions

    scene.lipsync.directed_emotion = "Happy"
    scene.lipsync.secondary_seed = 4
    request = bakemod.gather(scene, "voice", "Face", to_bake_settings(scene.lipsync, bpy.context))
    curves = bakemod.compute(request)
    audio = read_audio(request.audio)
    plan = plan_frames(request.timing, audio.duration)
    options = ProductOptions(
        fps=plan.fps,
        start_time=plan.start_time,
        duration=plan.duration,
        emotion="Happy",
        secondary=SecondaryOptions(seed=4),
    )
    want = generate(audio, options=options).values[: plan.count, :52]
    np.testing.assert_allclose(curves.values, want, atol=1e-6)
    assert curves.values[:, CHANNELS.index("mouthSmileLeft")].min() > 0.3  # Happy: 0.4 offset
