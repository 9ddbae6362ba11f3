"""The wheel closure of the extension's runtime dependencies, per Blender platform and Python.

The runtime needs only soundfile and soxr (and what they pull in: cffi, pycparser,
typing_extensions) besides Blender's own numpy. None of them has platform markers that pip would
misjudge for a foreign target, so pip's own resolver runs once per (platform, Python) with
``--platform``/``--python-version``. numpy is pinned to the target Blender's numpy while
resolving (so that nothing asks for a newer one) and then dropped: extensions' wheels go before
Blender's on sys.path, so a shipped numpy would replace Blender's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

#: Blender's Pythons and the numpy each bundles (4.2-5.0: CPython 3.11 + numpy 1.26;
#: 5.1-5.3: CPython 3.13 + numpy 2.x).
PYTHONS = {"3.11": "numpy==1.26.4", "3.13": "numpy>=2.2,<3"}
TARGETS = {
    "linux-x64": ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
                  "manylinux2014_x86_64"],
    "linux-arm64": ["manylinux_2_28_aarch64", "manylinux_2_26_aarch64", "manylinux_2_17_aarch64",
                    "manylinux2014_aarch64"],
    "windows-x64": ["win_amd64"],
    "macos-arm64": ["macosx_14_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64"],
    "macos-x64": ["macosx_13_0_x86_64", "macosx_11_0_x86_64", "macosx_10_15_x86_64",
                  "macosx_10_14_x86_64", "macosx_10_13_x86_64", "macosx_10_9_x86_64"],
}  # fmt: skip
#: windows-arm64 is left out: soxr publishes no Windows-on-ARM wheel.


class ClosureError(Exception):
    pass


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name(path: Path) -> str:
    return canonical(path.name.split("-")[0])


def resolve(
    platform: str, python: str, requirements: list[str], dest: Path, *, offline: bool
) -> list[Path]:
    """Download the closure of ``requirements`` for one target into ``dest``; its wheels."""
    abi = "cp" + python.replace(".", "")
    if not offline and dest.exists():  # the folder then holds exactly this resolution
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--dest", str(dest), "--only-binary=:all:",
           "--python-version", python, "--implementation", "cp", "--abi", abi, "--abi", "abi3",
           "--abi", "none", "--disable-pip-version-check", "--progress-bar", "off"]  # fmt: skip
    for tag in TARGETS[platform]:
        cmd += ["--platform", tag]
    if offline:  # only the wheels the last online run fetched
        cmd += ["--no-index", "--find-links", str(dest)]
    proc = subprocess.run(cmd + requirements + [PYTHONS[python]], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
        raise ClosureError(f"pip download for {platform} / Python {python} failed: {tail}")
    return sorted(dest.glob("*.whl"))
