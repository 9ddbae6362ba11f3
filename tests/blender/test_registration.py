"""Registration, clean unregistration, and an import of the package without bpy or torch."""

from __future__ import annotations

import subprocess
import sys

import pytest

bpy = pytest.importorskip("bpy")

CLASSES = (
    "LIPSYNC_OT_generate",
    "LIPSYNC_OT_cancel",
    "LIPSYNC_OT_import_csv",
    "LIPSYNC_PT_main",
    "LIPSYNC_PT_options",
    "LIPSYNC_PT_mapping",
    "LIPSYNC_PT_takes",
    "LIPSYNC_OT_take_select",
    "LIPSYNC_OT_take_mute",
    "LIPSYNC_OT_take_rebake",
    "LIPSYNC_OT_take_remove",
    "LIPSYNC_OT_push_down_action",
    "LIPSYNC_OT_bake_for_export",
    "LIPSYNC_PG_settings",
    "LIPSYNC_PG_run",
)


def registered() -> dict[str, bool]:
    from neurosync_lipsync.ui import properties

    found = {name: hasattr(bpy.types, name) for name in CLASSES[:-2]}
    found.update({cls.__name__: cls.is_registered for cls in properties.classes})
    found["Scene.lipsync"] = hasattr(bpy.types.Scene, "lipsync")
    found["WindowManager.lipsync_run"] = hasattr(bpy.types.WindowManager, "lipsync_run")
    return found


def test_register_and_unregister_twice():
    import neurosync_lipsync

    was_registered = hasattr(bpy.types, "LIPSYNC_OT_generate")  # by the session fixture
    if was_registered:
        neurosync_lipsync.unregister()
    for _ in range(2):
        neurosync_lipsync.register()
        assert all(registered().values()), registered()
        assert bpy.ops.lipsync.generate.idname() == "LIPSYNC_OT_generate"
        settings = bpy.context.scene.lipsync
        assert settings.smoothing == "savgol" and settings.output == "NLA"
        assert settings.emotion_happy == 1.0 and settings.gain_mouth == 1.0
        assert neurosync_lipsync._cli_handle is not None  # `blender -c lipsync ...`
        neurosync_lipsync.unregister()
        assert not any(registered().values()), registered()
    if was_registered:
        neurosync_lipsync.register()


def test_package_import_pulls_in_neither_bpy_nor_torch():
    code = (
        "import sys, neurosync_lipsync, neurosync_lipsync.core.naming;"
        "bad = [m for m in ('bpy', 'torch', 'librosa') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class FakeLayout:
    """Stands in for UILayout: records what a panel would show."""

    def __init__(self, log):
        self.log = log

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.log.append((name, args, kwargs))
            return FakeLayout(self.log)

        return call


def draw(panel_cls, context) -> list:
    log = []
    panel = type("P", (), {"layout": FakeLayout(log)})()
    panel_cls.draw(panel, context)
    return log


def test_panels_draw_mapping_report_and_progress(scene):
    from neurosync_lipsync.ui.panel import LIPSYNC_PT_main, LIPSYNC_PT_mapping, LIPSYNC_PT_options

    ctx = bpy.context
    ctx.scene.lipsync.target = bpy.data.objects["Face"]
    face = bpy.data.objects["Face"]
    face.shape_key_remove(face.data.shape_keys.key_blocks["tongueOut"])
    texts = [kw.get("text") for _, _, kw in draw(LIPSYNC_PT_main, ctx)]
    assert "ARKit (camelCase): 51/52 mapped" in texts
    texts = [kw.get("text") for _, _, kw in draw(LIPSYNC_PT_mapping, ctx)]
    assert "tongueOut" in texts and "Unmatched (not keyed):" in texts
    assert draw(LIPSYNC_PT_options, ctx)
    run = ctx.window_manager.lipsync_run
    run.running, run.progress, run.stage = True, 0.5, "Loading model"
    try:
        calls = draw(LIPSYNC_PT_main, ctx)
        assert ("progress", (), {"factor": 0.5, "text": "Loading model"}) in calls
    finally:
        run.running = False


def test_cli_command_handler_reports_errors(addon, capsys):
    assert addon._cli_command(["--blend", "/nonexistent/scene.blend", "--all"]) == 2
    assert "no such .blend file" in capsys.readouterr().err
