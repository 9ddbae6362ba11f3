"""Fixtures for tests in real Blender (the bpy module): the registered add-on and a face scene."""

from __future__ import annotations

import importlib.util

import pytest
from neurosync_lipsync.core.naming import CHANNELS, PRESETS

if importlib.util.find_spec("bpy") is None:  # plain Python: nothing here can run
    collect_ignore_glob = ["test_*.py"]
    bpy = None
else:
    import bpy


@pytest.fixture(scope="session")
def addon():
    import neurosync_lipsync

    neurosync_lipsync.register()
    yield neurosync_lipsync
    neurosync_lipsync.unregister()


@pytest.fixture(scope="session")
def tiny_model(fixtures_dir) -> str:
    return str(fixtures_dir / "tiny_v01a.pth")


@pytest.fixture(scope="session")
def voice(fixtures_dir) -> str:
    return str(fixtures_dir / "speechlike.wav")


def add_face(name: str = "Face", keys=CHANNELS, extra=()):
    """A one-triangle mesh with a Basis and the given shape keys, all at 0."""
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.shape_key_add(name="Basis")
    for key in (*keys, *extra):
        obj.shape_key_add(name=key).value = 0.0
    return obj


def preset_keys(pid: str) -> list[str]:
    return [k for keys in PRESETS[pid].targets for k in keys]


@pytest.fixture
def scene(addon, voice):
    """Empty file with a sound strip 'voice' at frame 10 and an ARKit face 'Face', 24 fps."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    sc = bpy.context.scene
    sc.render.fps, sc.render.fps_base = 24, 1.0
    sed = sc.sequence_editor_create()
    sed.strips.new_sound("voice", voice, channel=1, frame_start=10)
    add_face()
    return sc
