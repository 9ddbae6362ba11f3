"""The manifest validates with the extension tool that ships inside the bpy wheel."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("bpy")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from build_extension import blender_ext_paths  # noqa: E402
from wheel_closure import TARGETS  # noqa: E402


def test_manifest_validates_with_blender_ext():
    tool, tags = blender_ext_paths(None)
    proc = subprocess.run(
        [sys.executable, str(tool), "validate", str(ROOT), f"--valid-tags={tags}"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manifest_contents():
    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    assert manifest["schema_version"] == "1.0.0"
    assert manifest["id"] == "neurosync_lipsync"
    assert manifest["blender_version_min"] == "4.2.0"
    # every platform the build resolves wheels for, and only those (no windows-arm64: no soxr)
    assert set(manifest["platforms"]) == set(TARGETS)
    assert set(TARGETS) == {"linux-x64", "linux-arm64", "windows-x64", "macos-arm64", "macos-x64"}
    assert "wheels" not in manifest  # written into the staged copy by tools/build_extension.py
    for reason in manifest["permissions"].values():
        assert len(reason) <= 64 and not reason.endswith((".", "!", "?"))
    excluded = manifest["build"]["paths_exclude_pattern"]
    for path in ("/tests/", "/training/", "/benchmarks/", "/tools/", "/demo/", "/.venv/"):
        assert path in excluded
