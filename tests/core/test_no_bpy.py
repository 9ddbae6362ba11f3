"""core/ must import, and work, where bpy does not exist."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

from .conftest import HAS_TORCH

CORE = Path(__file__).resolve().parents[2] / "core"
#: The optional torch backend's modules; imported only where torch is installed.
TORCH_MODULES = {"model"}


def test_every_core_module_imports_without_bpy():
    modules = [m.name for m in pkgutil.iter_modules([str(CORE)])]
    assert {"audio", "features", "model", "checkpoint", "inference", "postprocess", "cli"} <= set(
        modules
    )
    if not HAS_TORCH:
        modules = [m for m in modules if m not in TORCH_MODULES]
    code = (
        "import sys, importlib\n"
        "sys.modules['bpy'] = None  # any 'import bpy' now raises ImportError\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('neurosync_lipsync.core.' + name)\n"
        "assert 'bpy' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_no_core_source_mentions_bpy_imports():
    for path in CORE.rglob("*.py"):
        text = path.read_text()
        assert "import bpy" not in text and "from bpy" not in text, path
