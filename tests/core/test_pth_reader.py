"""The torch-free .pth reader: same tensors as torch.load, and nothing but plain tensors."""

from __future__ import annotations

import io
import pickle
import sys
import zipfile

import numpy as np
import pytest
from neurosync_lipsync.core.pth_reader import UnsafePickleError, read_pth

from tests.core import pth_files
from tests.core.pth_files import write_pth

from .conftest import NEEDS_TORCH as needs_torch

try:
    import torch
except ImportError:  # the runtime needs none; these tests use it where present
    torch = None


@needs_torch
@pytest.mark.parametrize(
    "name", ["tiny_v01a.pth", "tiny_v2025.pth", "../../core/default_model/neurosync_default.pth"]
)
def test_fixtures_equal_torch_load(name, fixtures_dir):
    path = fixtures_dir / name
    ours, theirs = read_pth(path), torch.load(path, weights_only=True)
    ours, theirs = ours.get("state_dict", ours), theirs.get("state_dict", theirs)
    assert list(ours) == list(theirs)
    for key, tensor in theirs.items():
        assert ours[key].dtype == np.float32
        np.testing.assert_array_equal(ours[key], tensor.numpy(), err_msg=key)


@needs_torch
def test_dtypes_views_offsets_and_parameters(tmp_path):
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    tensors = {
        "transposed": base.t(),
        "offset_slice": base[1:3, 2:5],
        "every_other": base[:, ::2],
        "half": base.half(),
        "bfloat16": base.bfloat16()[::2],
        "double": base.double(),
        "int64": torch.arange(5),
        "bool": torch.tensor([True, False]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
    }
    path = tmp_path / "views.pth"
    torch.save({**tensors, "param": torch.nn.Parameter(torch.ones(3))}, path)
    got = read_pth(path)
    for key, tensor in tensors.items():
        expected = tensor.float().numpy() if key == "bfloat16" else tensor.numpy()
        assert got[key].dtype == expected.dtype and got[key].shape == expected.shape, key
        np.testing.assert_array_equal(got[key], expected, err_msg=key)
    np.testing.assert_array_equal(got["param"], np.ones(3, np.float32))


@needs_torch
def test_written_without_torch_reads_with_torch(tmp_path):
    state = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(2, np.float16)}
    write_pth(tmp_path / "m.pth", {"config": {"n": 1}, "state_dict": state})
    loaded = torch.load(tmp_path / "m.pth", weights_only=True)
    assert loaded["config"] == {"n": 1}
    for key, value in state.items():
        np.testing.assert_array_equal(loaded["state_dict"][key].numpy(), value)


def test_big_endian_file(tmp_path):
    state = {"w": np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)}
    write_pth(tmp_path / "be.pth", state, byteorder="big")
    np.testing.assert_array_equal(read_pth(tmp_path / "be.pth")["w"], state["w"])


def test_unknown_global_is_refused_without_importing_it(tmp_path, monkeypatch):
    marker = tmp_path / "imported.txt"
    (tmp_path / "evil_module_xyz.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\ndef run(*a):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    data = b"\x80\x02cevil_module_xyz\nrun\nq\x00)R."  # GLOBAL evil_module_xyz.run, call it
    path = tmp_path / "evil.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("evil/data.pkl", data)
    with pytest.raises(UnsafePickleError, match="evil_module_xyz.run"):
        read_pth(path)
    assert not marker.exists() and "evil_module_xyz" not in sys.modules


def test_legacy_format_asks_for_a_resave(tmp_path):
    path = tmp_path / "old.pth"
    path.write_bytes(pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2) + pickle.dumps(1001))
    with pytest.raises(pickle.UnpicklingError, match="legacy.*re-save it with a current torch"):
        read_pth(path)


@pytest.mark.parametrize(
    ("size", "stride", "offset", "message"),
    [
        ((4, 4), (4, 1), 0, "overruns its storage"),
        ((2,), (1,), 11, "overruns its storage"),
        ((2, 2), (2,), 0, "bad tensor geometry"),
        ((2, -1), (1, 1), 0, "bad tensor geometry"),
    ],
)
def test_tensor_geometry_outside_its_storage(size, stride, offset, message, tmp_path):
    path = tmp_path / "m.pth"
    storage = pth_files._Storage("0", np.zeros(12, np.float32))

    class Bad(pth_files._Tensor):
        def __reduce__(self):
            args = (self.storage, offset, size, stride, False, {})
            return pth_files.FakeGlobal("torch._utils", "_rebuild_tensor_v2"), args

    buffer = io.BytesIO()
    pth_files._Pickler(buffer, protocol=2).dump({"w": Bad(storage, (12,))})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("m/data.pkl", buffer.getvalue())
        archive.writestr("m/data/0", storage.array.tobytes())
    with pytest.raises(pickle.UnpicklingError, match=message):
        read_pth(path)


def test_compressed_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.pth"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        # a 50 MB pickle (a dict, then zeros) that is about 50 kB on disk
        archive.writestr("bomb/data.pkl", pickle.dumps({}, protocol=2) + bytes(50_000_000))
    with pytest.raises(pickle.UnpicklingError, match="claims more bytes than the file has"):
        read_pth(path)
