"""The operator as a pipeline script calls it in background mode (``blender -b --python-expr``).

In background mode ``INVOKE_DEFAULT`` runs ``execute`` (no event loop, no modal handler), so the
call returns when the keys are written. The script runs in its own process, on a saved file.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

bpy = pytest.importorskip("bpy")

EXPR = """
import bpy, neurosync_lipsync
bpy.ops.wm.open_mainfile(filepath={blend!r})
neurosync_lipsync.register()
scene = bpy.context.scene
scene.lipsync.strip_name = "voice"
scene.lipsync.target = bpy.data.objects["Face"]
result = bpy.ops.lipsync.generate("INVOKE_DEFAULT", model={model!r})
from neurosync_lipsync.blender.keying import take_fcurves
action = bpy.data.actions["LipSync voice - Face"]
print("RESULT", sorted(result), len(take_fcurves(action)), bpy.app.background)
"""


def test_invoke_default_runs_synchronously_in_background(scene, tiny_model, tmp_path):
    blend = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    code = EXPR.format(blend=str(blend), model=tiny_model)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT"))
    assert line == "RESULT ['FINISHED'] 52 True"
