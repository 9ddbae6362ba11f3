"""Both backends through the user-facing paths: the ``neurosync`` command and ``generate``."""

from __future__ import annotations

import numpy as np
import pytest
from neurosync_lipsync.core.cli import main
from neurosync_lipsync.core.export import read_csv
from neurosync_lipsync.core.pipeline import generate

pytest.importorskip("torch")


def test_cli_backend_torch_equals_numpy(fixtures_dir, tmp_path):
    outputs = {}
    for backend in ("numpy", "torch"):
        out = tmp_path / f"{backend}.csv"
        args = ["infer", str(fixtures_dir / "speechlike.wav"), "-o", str(out)]
        assert (
            main([*args, "--model", str(fixtures_dir / "tiny_v2025.pth"), "--backend", backend])
            == 0
        )
        outputs[backend] = read_csv(out)[1]
    np.testing.assert_allclose(outputs["numpy"], outputs["torch"], atol=1e-4, rtol=0)


def test_generate_on_the_default_model_agrees(fixtures_dir):
    results = [
        generate(fixtures_dir / "speechlike.wav", reference=True, backend=backend)
        for backend in ("numpy", "torch")
    ]
    np.testing.assert_allclose(results[0].values, results[1].values, atol=1e-5, rtol=0)


def test_cuda_without_a_gpu_is_one_clear_line(fixtures_dir, tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    out = tmp_path / "x.csv"
    args = ["infer", str(fixtures_dir / "speechlike.wav"), "-o", str(out), "--backend", "torch"]
    assert main([*args, "--device", "cuda"]) == 2
    assert "device 'cuda' was requested but no CUDA GPU is available" in capsys.readouterr().err
    assert not out.exists()
