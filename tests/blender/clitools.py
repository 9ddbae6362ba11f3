"""Running ``blender_cli.py`` as a user does (a subprocess), and reading what it wrote."""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np

CLI = Path(__file__).resolve().parents[2] / "blender_cli.py"


def run(*args, timeout=300, **kwargs):
    """``python blender_cli.py ARGS`` with the bpy module."""
    return subprocess.run(
        [sys.executable, str(CLI), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def patched_cli(args, patch: str) -> list[str]:
    """argv running blender_cli.py in a Python that ran ``patch`` first (to simulate faults)."""
    code = (
        "import runpy, sys\n"
        f"{patch}\n"
        f"sys.argv = [{str(CLI)!r}, *{[str(a) for a in args]!r}]\n"
        f"runpy.run_path({str(CLI)!r}, run_name='__main__')\n"
    )
    return [sys.executable, "-c", code]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) -> sha1 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


_COMPONENTS = {5126: np.float32, 5123: np.uint16, 5125: np.uint32, 5121: np.uint8}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


def read_glb(path) -> tuple[dict, bytes]:
    """(JSON document, BIN chunk) of a .glb, checked against the container's own lengths."""
    data = Path(path).read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data)
    assert (magic, version, length) == (b"glTF", 2, len(data))
    size, kind = struct.unpack_from("<I4s", data, 12)
    assert kind == b"JSON"
    doc = json.loads(data[20 : 20 + size])
    offset = 20 + size
    binary = b""
    if offset < len(data):
        bsize, bkind = struct.unpack_from("<I4s", data, offset)
        assert bkind == b"BIN\x00"
        binary = data[offset + 8 : offset + 8 + bsize]
    return doc, binary


def accessor(doc: dict, binary: bytes, index: int) -> np.ndarray:
    acc = doc["accessors"][index]
    width = _WIDTH[acc["type"]]
    dtype = _COMPONENTS[acc["componentType"]]
    if "bufferView" not in acc:  # all zeros (sparse without values)
        return np.zeros((acc["count"], width), dtype=dtype)
    view = doc["bufferViews"][acc["bufferView"]]
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    assert view.get("byteStride", 0) in (0, width * np.dtype(dtype).itemsize)
    values = np.frombuffer(binary, dtype=dtype, count=acc["count"] * width, offset=start)
    return values.reshape(acc["count"], width)


def glb_weights(path) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """Mesh node name -> (morph target names, key times (T,), weights (T, targets))."""
    doc, binary = read_glb(path)
    found = {}
    for anim in doc.get("animations", ()):
        for channel in anim["channels"]:
            if channel["target"]["path"] != "weights":
                continue
            node = doc["nodes"][channel["target"]["node"]]
            mesh = doc["meshes"][node["mesh"]]
            names = mesh["extras"]["targetNames"]
            sampler = anim["samplers"][channel["sampler"]]
            assert sampler.get("interpolation", "LINEAR") == "LINEAR"
            times = accessor(doc, binary, sampler["input"])[:, 0]
            weights = accessor(doc, binary, sampler["output"]).reshape(len(times), len(names))
            found[node["name"]] = (names, times, weights)
    return found
