"""What differs between the Blenders users run: 5.1's strip timing names, 5.0's sequencer scene."""

from __future__ import annotations

import warnings

import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender.timing import StripTiming, strip_timing  # noqa: E402


def test_strip_timing_uses_no_deprecated_property(scene):
    strip = scene.sequence_editor.strips["voice"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # 5.1+ warns on the 4.x names
        timing = strip_timing(strip, 24.0)
    # speechlike.wav lasts 3.5 s: 84 frames at 24 fps from frame 10
    assert timing == StripTiming(10.0, 10.0, 94.0, 0.0, 24.0)


@pytest.mark.skipif(
    "sequencer_scene" not in bpy.types.WorkSpace.bl_rna.properties,
    reason="Blender before 5.0 has no sequencer scene",
)
def test_strip_in_the_sequencer_scene(scene, tiny_model):
    edit = bpy.data.scenes.new("Edit")
    edit.render.fps = 24
    edit.sequence_editor_create().strips.new_sound(
        "line", scene.sequence_editor.strips["voice"].sound.filepath, channel=1, frame_start=30
    )
    workspace = bpy.context.workspace
    workspace.sequencer_scene = edit
    try:
        result = bpy.ops.lipsync.generate(strip="line", object="Face", model=tiny_model)
    finally:
        workspace.sequencer_scene = None
    assert result == {"FINISHED"}
    assert "LipSync line - Face" in bpy.data.actions


def test_supported_versions_are_stated_and_newer_ones_flagged():
    import tomllib
    from pathlib import Path

    from neurosync_lipsync.ui.deps import TESTED_BLENDER, untested_blender

    manifest = tomllib.loads((Path(__file__).parents[2] / "blender_manifest.toml").read_text())
    assert manifest["blender_version_min"] == "4.2.0" and "4.2 LTS to 5.3" in TESTED_BLENDER
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "Using it in Blender (4.2 LTS to 5.3)" in readme
    assert untested_blender(bpy.app.version) is None  # every Blender the tests run on is tested
    assert untested_blender((5, 4, 0)) == f"Blender 5.4 is newer than the tested {TESTED_BLENDER}"
    assert untested_blender((4, 2, 23)) is None
