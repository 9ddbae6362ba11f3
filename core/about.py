"""What this installation is: package version, default model, Python and numpy (``--version``).

Reads only small files (the manifest, the model's sidecar) and hashes the model file; torch is
not imported, so ``neurosync --version`` answers in well under a second.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

from .checkpoint import DEFAULT_MODEL_PATH

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def package_version() -> str:
    """The installed distribution's version, or the extension manifest's (a Blender install)."""
    from importlib import metadata

    try:
        return metadata.version("neurosync-lipsync")
    except metadata.PackageNotFoundError:
        pass
    import tomllib

    try:
        with open(PACKAGE_ROOT / "blender_manifest.toml", "rb") as fh:
            return str(tomllib.load(fh)["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_model_summary() -> dict:
    """Path, family (from its sidecar), size and sha256 of the shipped model; {} if missing."""
    if not DEFAULT_MODEL_PATH.is_file():
        return {}
    sidecar = DEFAULT_MODEL_PATH.with_suffix(".json")
    try:
        family = json.loads(sidecar.read_text()).get("family", "unknown")
    except (OSError, ValueError, AttributeError):
        family = "unknown"
    return {
        "path": str(DEFAULT_MODEL_PATH),
        "family": family,
        "bytes": DEFAULT_MODEL_PATH.stat().st_size,
        "sha256": file_sha256(DEFAULT_MODEL_PATH),
    }


def version_text() -> str:
    import numpy

    model = default_model_summary()
    shipped = (
        f"{Path(model['path']).name} ({model['family']}, sha256 {model['sha256']})"
        if model
        else "not installed"
    )
    return (
        f"neurosync {package_version()}\n"
        f"default model: {shipped}\n"
        f"python {platform.python_version()}, numpy {numpy.__version__}"
    )
