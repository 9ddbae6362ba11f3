"""A torch-free, code-free reader of PyTorch ``.pth`` files holding plain tensors.

The zip format ``torch.save`` writes since 1.6: ``<name>/data.pkl`` (a pickle of the object),
``<name>/data/<key>`` (one raw storage per key), ``<name>/byteorder`` and ``<name>/version``.
The pickle is read by an unpickler whose ``find_class`` hands out only our own stand-ins for the
few globals a state dict needs (``collections.OrderedDict``, torch's tensor-rebuild functions,
storage types and dtypes); any other global is refused by name, without importing or running
anything. Storages become numpy arrays; tensors become numpy arrays of their own dtype
(bfloat16 is widened to float32, numpy has no bfloat16).

The legacy (pre-1.6, non-zip) torch format is refused with a request to re-save the file.
"""

from __future__ import annotations

import functools
import io
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

#: First object of a legacy (non-zip) torch file.
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
#: torch storage type name -> numpy dtype name (``bfloat16`` is decoded by hand).
_STORAGES = {
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "DoubleStorage": "float64",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "UntypedStorage": "uint8",
}
_DTYPES = {
    "float32": "float32",
    "float": "float32",
    "float16": "float16",
    "half": "float16",
    "bfloat16": "bfloat16",
    "float64": "float64",
    "double": "float64",
    "int64": "int64",
    "long": "int64",
    "int32": "int32",
    "int": "int32",
    "int16": "int16",
    "int8": "int8",
    "uint8": "uint8",
    "bool": "bool",
}


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle names a global that is not one of a state dict's plain building blocks."""


class _Dtype:
    """Stand-in for a ``torch.<dtype>`` global (used by ``_rebuild_tensor_v3``)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


class _StorageType(_Dtype):
    """Stand-in for ``torch.FloatStorage`` and friends: only carries the element type."""

    __slots__ = ()


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    return _view(storage, offset, size, stride)


def _rebuild_tensor_v3(
    storage, offset, size, stride, requires_grad, hooks, dtype, metadata=None, *, order="little"
):
    # The storage is untyped (bytes); the dtype comes as an argument.
    if not isinstance(dtype, _Dtype) or not isinstance(storage, np.ndarray):
        raise pickle.UnpicklingError("malformed _rebuild_tensor_v3 call")
    return _view(_as_dtype(storage.view(np.uint8), dtype.name, order), offset, size, stride)


def _rebuild_parameter(data, requires_grad, hooks, state=None):
    if not isinstance(data, np.ndarray) or state:
        raise pickle.UnpicklingError("a parameter with extra state is not plain weights")
    return data


def _ordered_dict(*args):
    return OrderedDict(*args)


_SAFE_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): _ordered_dict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_tensor_v3"): _rebuild_tensor_v3,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter,
    **{
        (m, name): _StorageType(d) for name, d in _STORAGES.items() for m in ("torch", "torch.cuda")
    },
    **{("torch", name): _Dtype(d) for name, d in _DTYPES.items()},
}


def _as_dtype(raw: np.ndarray, name: str, order: str) -> np.ndarray:
    """Reinterpret raw bytes (uint8) of byte order ``order`` as ``name``; bfloat16 -> float32."""
    mark = "<" if order == "little" else ">"
    if name == "bfloat16":
        halves = raw[: raw.size // 2 * 2].view(mark + "u2").astype(np.uint32)
        return (halves << 16).view(np.float32)
    dtype = np.dtype(name).newbyteorder(mark) if np.dtype(name).itemsize > 1 else np.dtype(name)
    usable = raw.size // dtype.itemsize * dtype.itemsize
    return raw[:usable].view(dtype)


def _view(storage, offset, size, stride) -> np.ndarray:
    """Copy of the strided tensor view of a 1-D storage array, bounds-checked first."""
    if not isinstance(storage, np.ndarray) or storage.ndim != 1:
        raise pickle.UnpicklingError("a tensor without a storage")
    ints = (offset, *size, *stride)
    if len(size) != len(stride) or not all(type(v) is int and v >= 0 for v in ints):
        raise pickle.UnpicklingError(f"bad tensor geometry: size {size}, stride {stride}")
    if 0 in size:
        return np.zeros(size, dtype=storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if last >= storage.size:
        raise pickle.UnpicklingError(
            f"tensor of size {tuple(size)} at offset {offset} overruns its storage of "
            f"{storage.size} elements"
        )
    item = storage.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=tuple(size), strides=tuple(s * item for s in stride)
    )
    return np.array(view, dtype=view.dtype.newbyteorder("="), order="C")


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, storage_reader=None, order: str = "little"):
        super().__init__(io.BytesIO(data))
        self._storage_reader = storage_reader
        self._order = order
        self._storages: dict[str, np.ndarray] = {}

    def find_class(self, module: str, name: str):  # noqa: D102 - pickle's hook
        try:
            found = _SAFE_GLOBALS[(module, name)]
        except KeyError:
            raise UnsafePickleError(f"Unsupported global: GLOBAL {module}.{name}") from None
        if found is _rebuild_tensor_v3:
            return functools.partial(_rebuild_tensor_v3, order=self._order)
        return found

    def persistent_load(self, pid):  # noqa: D102 - pickle's hook
        if self._storage_reader is None:
            raise pickle.UnpicklingError("a persistent id outside a torch zip file")
        if (
            not isinstance(pid, tuple)
            or len(pid) != 5
            or pid[0] != "storage"
            or not isinstance(pid[1], _StorageType)
            or not isinstance(pid[2], str)
            or type(pid[4]) is not int
        ):
            raise pickle.UnpicklingError(f"unexpected persistent id {str(pid)[:80]}")
        _, kind, key, _location, numel = pid
        if key not in self._storages:
            raw = np.frombuffer(self._storage_reader(key), dtype=np.uint8)
            array = _as_dtype(raw, kind.name, self._order)
            if array.size < numel:
                raise pickle.UnpicklingError(
                    f"storage {key} holds {array.size} elements, the pickle expects {numel}"
                )
            self._storages[key] = array[:numel]
        return self._storages[key]


def read_pth(path: str | Path) -> Any:
    """The object a ``torch.save`` zip file holds, with tensors as numpy arrays.

    Raises
    ------
    UnsafePickleError
        The pickle names a global other than a state dict's building blocks (nothing was run).
    pickle.UnpicklingError, zipfile.BadZipFile, KeyError, ValueError, EOFError
        The file is not a readable torch zip file (the message says where it stopped).
    """
    path = Path(path)
    if not zipfile.is_zipfile(path):
        _refuse_non_zip(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise pickle.UnpicklingError("no <name>/data.pkl record in the zip file")
        prefix = pickles[0][: -len("data.pkl")]
        names = set(archive.namelist())
        order = "little"
        if prefix + "byteorder" in names:
            order = archive.read(prefix + "byteorder").decode("ascii", "replace").strip()
        if order not in ("little", "big"):
            raise pickle.UnpicklingError(f"unknown byteorder record {order!r}")

        limit = path.stat().st_size

        def record(name: str) -> bytes:
            # torch stores records uncompressed, so none is larger than the file: a larger one
            # is a compressed bomb, refused before it is inflated.
            if archive.getinfo(name).file_size > limit:
                raise pickle.UnpicklingError(f"record {name} claims more bytes than the file has")
            return archive.read(name)

        def storage(key: str) -> bytes:
            return record(f"{prefix}data/{key}")

        return _Unpickler(record(pickles[0]), storage, order).load()


def _refuse_non_zip(data: bytes) -> None:
    """Say what a non-zip file is: a legacy torch file, an unsafe pickle, or neither."""
    try:
        first = _Unpickler(data).load()
    except UnsafePickleError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure on untrusted bytes is 'unreadable'
        raise pickle.UnpicklingError(f"not a zip file ({type(exc).__name__})") from None
    if first == _LEGACY_MAGIC:
        raise pickle.UnpicklingError(
            "this is the legacy (before PyTorch 1.6) format; re-save it with a current torch: "
            "torch.save(torch.load(path), path)"
        )
    raise pickle.UnpicklingError("a plain pickle, not a torch.save zip file")
