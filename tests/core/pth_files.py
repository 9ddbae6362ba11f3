"""Writing torch.save-format zip files with plain pickle + zipfile (for tests without torch).

Produces the same records ``torch.save`` writes (``<name>/data.pkl``, ``<name>/data/<key>``,
``<name>/byteorder``, ``<name>/version``) and the same pickle globals
(``torch._utils._rebuild_tensor_v2``, ``torch.<Type>Storage``, ``collections.OrderedDict``),
so the files can be read by ``torch.load`` as well. ``extra`` objects (such as a payload whose
``__reduce__`` would run code) are pickled as they are.
"""

from __future__ import annotations

import collections
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np

_STORAGE_NAMES = {
    "float32": "FloatStorage",
    "float16": "HalfStorage",
    "float64": "DoubleStorage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "bool": "BoolStorage",
}


class FakeGlobal:
    """Pickles as ``GLOBAL module name`` without the module existing here."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise NotImplementedError


class _Storage:
    def __init__(self, key: str, array: np.ndarray):
        self.key, self.array = key, array


class _Tensor:
    def __init__(self, storage: _Storage, shape: tuple[int, ...]):
        self.storage, self.shape = storage, shape

    def __reduce__(self):
        stride = tuple(int(np.prod(self.shape[i + 1 :])) for i in range(len(self.shape)))
        args = (self.storage, 0, self.shape, stride, False, collections.OrderedDict())
        return FakeGlobal("torch._utils", "_rebuild_tensor_v2"), args


class _Pickler(pickle._Pickler):  # the Python pickler: its dispatch table can be extended
    dispatch = dict(pickle._Pickler.dispatch)

    def _save_fake_global(self, obj: FakeGlobal) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[FakeGlobal] = _save_fake_global

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            kind = FakeGlobal("torch", _STORAGE_NAMES[obj.array.dtype.name])
            return ("storage", kind, obj.key, "cpu", obj.array.size)
        return None


def write_pth(path: Path, obj, *, byteorder: str = "little") -> Path:
    """Write ``obj`` as a torch zip file; numpy arrays in it (in dicts) become tensors."""
    storages: dict[str, _Storage] = {}

    def wrap(value):
        if isinstance(value, np.ndarray):
            storage = _Storage(str(len(storages)), np.ascontiguousarray(value))
            storages[storage.key] = storage
            return _Tensor(storage, tuple(value.shape))
        if isinstance(value, dict):
            return collections.OrderedDict((k, wrap(v)) for k, v in value.items())
        return value

    buffer = io.BytesIO()
    _Pickler(buffer, protocol=2).dump(wrap(obj))
    name = Path(path).stem
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{name}/data.pkl", buffer.getvalue())
        archive.writestr(f"{name}/byteorder", byteorder)
        mark = "<" if byteorder == "little" else ">"
        for key, storage in storages.items():
            data = storage.array.astype(storage.array.dtype.newbyteorder(mark)).tobytes()
            archive.writestr(f"{name}/data/{key}", data)
        archive.writestr(f"{name}/version", "3\n")
    return Path(path)


def random_state(config, seed: int = 0) -> dict[str, np.ndarray]:
    """Small random float32 weights in the layout a config describes (no torch needed)."""
    from neurosync_lipsync.core.numpy_model import expected_layout

    rng = np.random.default_rng(seed)
    return {
        key: (0.1 * rng.standard_normal(shape)).astype(np.float32)
        for key, shape in expected_layout(config).items()
    }
