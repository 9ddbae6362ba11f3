"""The runtime needs no torch: checkpoints load, refuse and generate with torch unimportable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Any 'import torch' (or torch.*) raises ImportError. A finder rather than sys.modules['torch'] =
# None: scipy's array-API helpers look torch up in sys.modules and fail on a None entry.
BLOCK = """import sys
class _NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked for this test")
sys.meta_path.insert(0, _NoTorch())
"""


def run(code: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


def test_checkpoint_and_reader_tests_pass_without_torch():
    files = [
        "tests/core/test_checkpoint.py",
        "tests/core/test_pth_reader.py",
        "tests/core/test_load_checks.py",
    ]
    # The full-size layouts are the same code path as the small ones, at 1 GB: run once only.
    args = ["-q", "-p", "no:cacheprovider", "-k", "not full_size", *files]
    proc = run(f"import pytest\nsys.exit(pytest.main({args!r}))")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert " passed" in summary and "failed" not in summary, summary


def test_default_model_generates_without_torch():
    code = (
        "import numpy as np\n"
        "from neurosync_lipsync.core.pipeline import generate\n"
        "from neurosync_lipsync.core.checkpoint import load_checkpoint\n"
        "from neurosync_lipsync.core.errors import OptionsError\n"
        "out = generate(np.zeros(16000, np.float32), rate=16000)\n"
        "assert out.values.shape == (60, 61) and np.isfinite(out.values).all()\n"
        "loaded = load_checkpoint()\n"
        "assert loaded.backend == 'numpy' and loaded.parameter_count > 0\n"
        "try:\n"
        "    load_checkpoint(backend='torch')\n"
        "except OptionsError as exc:\n"
        "    assert 'needs PyTorch, which is not installed' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('torch backend without torch was not refused')\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "print('ok')\n"
    )
    proc = run(code)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]


def test_default_model_generate_imports_no_torch():
    """Without blocking anything, a default-model generate leaves torch unimported."""
    code = (
        "import numpy as np\n"
        "from neurosync_lipsync.core.pipeline import generate\n"
        "generate(np.zeros(16000, np.float32), rate=16000)\n"
        "print('torch' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "False", proc.stderr[-3000:]
