"""The Engine preference: numpy by default, torch when chosen, carried into the bake."""

from __future__ import annotations

import pytest

bpy = pytest.importorskip("bpy")

from neurosync_lipsync.blender import bake as bakemod  # noqa: E402
from neurosync_lipsync.blender.settings import to_bake_settings  # noqa: E402
from neurosync_lipsync.ids import ADDON_PACKAGE  # noqa: E402


@pytest.fixture
def prefs(scene):
    """The add-on's preferences (register() alone adds no entry to Preferences > Add-ons)."""
    addons = bpy.context.preferences.addons
    entry = addons.get(ADDON_PACKAGE)
    added = entry is None
    if added:
        entry = addons.new()
        entry.module = ADDON_PACKAGE
    yield lambda: addons[ADDON_PACKAGE].preferences
    if added:
        addons.remove(entry)


def test_engine_defaults_to_numpy_and_reaches_the_bake(scene, prefs):
    assert prefs().backend == "numpy" and prefs().device == "cpu"
    settings = to_bake_settings(scene.lipsync, bpy.context)
    assert (settings.backend, settings.device) == ("numpy", "cpu")
    assert bakemod.load_model(None, settings.backend, settings.device).backend == "numpy"


def test_torch_engine_is_used_when_chosen(scene, prefs, tiny_model):
    pytest.importorskip("torch")
    prefs().backend = "torch"
    try:
        settings = to_bake_settings(scene.lipsync, bpy.context)
        assert settings.backend == "torch"
        loaded = bakemod.load_model(tiny_model, settings.backend, settings.device)
        assert loaded.backend == "torch"
        assert bakemod.load_model(tiny_model, "numpy").backend == "numpy"  # cache keyed by it
    finally:
        prefs().backend = "numpy"
