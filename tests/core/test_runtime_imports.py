"""The shipped runtime needs neither librosa, numba nor scipy (the extension bundles none of them).

A fresh interpreter makes those imports fail outright, runs the whole pipeline on the default model
(reading a WAV, resampling, band-limiting, features, product and reference post-processing with
the silence gate and Savitzky-Golay smoothing) and then checks that none of them was loaded.
torch is left out here: the numpy inference engine and its own import test are separate work.
"""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("librosa", "numba", "scipy")

CODE = f"""
import sys
for name in {FORBIDDEN!r}:
    sys.modules[name] = None  # any import of them now raises ImportError
import numpy as np
from neurosync_lipsync.core.pipeline import generate
from neurosync_lipsync.core.postprocess import ProductOptions

wav = sys.argv[1]
product = generate(wav, options=ProductOptions(smoothing="savgol", silence_gate=True, fps=24))
reference = generate(wav, reference=True)
v2025 = generate(wav, model=sys.argv[2])
for result in (product, reference, v2025):
    assert result.num_frames > 0 and np.isfinite(result.values).all()
loaded = sorted(
    name for name in sys.modules
    if sys.modules[name] is not None and name.split(".")[0] in {FORBIDDEN!r}
)
print("loaded:", loaded)
"""


def test_pipeline_runs_without_librosa_numba_or_scipy(fixtures_dir):
    inputs = [str(fixtures_dir / "speechlike.wav"), str(fixtures_dir / "tiny_v2025.pth")]
    proc = subprocess.run(
        [sys.executable, "-c", CODE, *inputs], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "loaded: []"
