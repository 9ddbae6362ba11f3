"""Install the built linux-x64 zip into a fresh user folder, offline, enable it and generate.

The bake must run on Blender's numpy and the shipped wheels alone (no torch, librosa, numba).

Runs when a zip exists (``dist/neurosync_lipsync-*-linux_x64.zip``, made by
``tools/build_extension.py --platform linux-x64``) or when ``NEUROSYNC_EXTENSION_ZIP`` names
one; otherwise it is skipped. The install runs in a child process with its own user folder.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("bpy")

ROOT = Path(__file__).resolve().parents[2]


def built_zip() -> str | None:
    named = os.environ.get("NEUROSYNC_EXTENSION_ZIP")
    if named:
        return named
    found = sorted(glob.glob(str(ROOT / "dist" / "neurosync_lipsync-*-linux_x64.zip")))
    return found[-1] if found else None


SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import bpy
    zip_path, wav, model = sys.argv[1:4]
    name = "bl_ext.user_default.neurosync_lipsync"
    bpy.ops.wm.read_factory_settings(use_empty=True)
    if zip_path == "restart":  # a later session: the extension is enabled from its folder
        import addon_utils
        addon_utils.enable(name, default_set=True)
    else:
        result = bpy.ops.extensions.package_install_files(
            filepath=zip_path, repo="user_default", enable_on_install=True)
        assert result == {"FINISHED"}, result
    assert name in sys.modules, "extension not enabled"
    scene = bpy.context.scene
    sed = scene.sequence_editor_create()
    sed.strips.new_sound("voice", wav, channel=1, frame_start=1)
    mesh = bpy.data.meshes.new("Face")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    face = bpy.data.objects.new("Face", mesh)
    scene.collection.objects.link(face)
    face.shape_key_add(name="Basis")
    for n in ("jawOpen", "mouthClose", "eyeBlinkLeft"):
        face.shape_key_add(name=n).value = 0.0
    assert bpy.ops.lipsync.generate(strip="voice", object="Face", model=model) == {"FINISHED"}
    import soundfile, soxr  # loaded by the bake, from the extension's wheels
    scene.frame_set(20)
    print(json.dumps({
        "module": sys.modules[name].__file__,
        "soundfile": soundfile.__file__,
        "soxr": soxr.__file__,
        "heavy": sorted(m for m in ("torch", "librosa", "numba", "scipy") if m in sys.modules),
        "python": "python%d.%d" % sys.version_info[:2],
        "actions": sorted(a.name for a in bpy.data.actions),
        "operator": bpy.ops.lipsync.generate.idname(),
        "preferences": name in bpy.context.preferences.addons,
    }))
    """
)


@pytest.mark.skipif(built_zip() is None, reason="no built zip: run tools/build_extension.py")
def test_installed_zip_generates(tmp_path, fixtures_dir):
    user = tmp_path / "user"
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(user), PYTHONNOUSERSITE="1")

    def child(first_arg):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                SCRIPT,
                first_arg,
                str(fixtures_dir / "speechlike.wav"),
                "",  # the default model, as a user's first bake
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return json.loads(proc.stdout.strip().splitlines()[-1])

    report = child(built_zip())
    assert report["module"].startswith(str(user))
    assert report["actions"] == ["LipSync Base - Face", "LipSync voice - Face"]
    assert report["preferences"]
    assert report["heavy"] == [], "the bake must need neither torch, librosa, numba nor scipy"
    site = user / "extensions" / ".local" / "lib" / report["python"] / "site-packages"
    assert (site / "soundfile.py").is_file() and (site / "soxr").is_dir()
    assert not (site / "numpy").exists(), "numpy must never be shipped"
    for heavy in ("torch", "librosa", "numba", "scipy"):
        assert not (site / heavy).exists(), f"{heavy} must not be shipped"
    # In the installing session this venv's own packages may still be found first (the new wheel
    # folder was not ahead of them); after a restart the wheel folder comes first: check that too.
    report = child("restart")
    assert report["soundfile"].startswith(str(user)), "soundfile must come from the wheels"
    assert report["soxr"].startswith(str(user)), "soxr must come from the extension's wheels"
    assert report["heavy"] == []
    assert report["actions"] == ["LipSync Base - Face", "LipSync voice - Face"]
