"""The optional torch backend: the reference modules of :mod:`core.model` behind the numpy API.

Used when torch is installed and asked for (a CUDA or Apple GPU, or checking the numpy engine
against the reference). torch is imported by these functions only, never at module import.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from .errors import OptionsError


class TorchRunner:
    """A :class:`core.model.Seq2Seq` in eval mode as a numpy callable.

    ``runner(x)`` maps (B, T, input_dim) float32 to (B, T, output_dim) float32 numpy arrays,
    running on ``device``; ``module`` is the torch module itself.
    """

    def __init__(self, module, device: str = "cpu"):
        import torch

        self.device = torch.device(device)
        self.module = module.to(self.device).eval()
        self.parameter_count = sum(p.numel() for p in module.parameters())

    @classmethod
    def from_state(cls, config, state: dict[str, np.ndarray], device: str = "cpu") -> TorchRunner:
        """The module a config describes, holding the float32 numpy ``state`` (strict names)."""
        import torch

        from .model import Seq2Seq

        module = Seq2Seq.from_config(config)
        module.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
        return cls(module, device)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            batch = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(self.device)
            return self.module(batch).float().cpu().numpy()


def resolve_device(name: str = "auto") -> str:
    """Map ``auto``/``cpu``/``cuda``/``mps`` to an available torch device name."""
    if name not in ("auto", "cpu", "cuda", "mps"):
        raise OptionsError(f"unknown device {name!r}; expected auto, cpu, cuda or mps")
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise OptionsError("device 'cuda' was requested but no CUDA GPU is available")
    if name == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise OptionsError("device 'mps' was requested but Apple Metal is not available")
    return name


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Temporarily set torch's intra-op thread count (None leaves it alone)."""
    if not threads:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, int(threads)))
    try:
        yield
    finally:
        torch.set_num_threads(previous)
