"""The wheel closure of the extension's dependencies for one Blender platform.

pip evaluates environment markers for the machine it runs on, even with ``--platform``: asked
for Windows torch on Linux it wants the CUDA packages that only Linux torch needs. So:

- linux-x64 (this machine's own platform): a normal ``pip download`` resolution;
- other platforms: the same versions as the Linux resolution, each downloaded with
  ``--no-deps`` for the target, then every ``Requires-Dist`` of the downloaded wheels evaluated
  with the *target's* markers; anything new (say, ``colorama`` on Windows) is added the same way.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

PYTHON = {"python_version": "3.11", "python_full_version": "3.11.9",
          "implementation_name": "cpython", "platform_python_implementation": "CPython",
          "implementation_version": "3.11.9", "extra": ""}  # fmt: skip
TARGETS = {
    "linux-x64": {"tags": ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64",
                           "manylinux_2_17_x86_64", "manylinux2014_x86_64",
                           "manylinux_2_5_x86_64", "manylinux1_x86_64"],
                  "env": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                          "platform_machine": "x86_64"}},
    "windows-x64": {"tags": ["win_amd64"],
                    "env": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                            "platform_machine": "AMD64"}},
    "macos-arm64": {"tags": ["macosx_14_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64"],
                    "env": {"sys_platform": "darwin", "platform_system": "Darwin",
                            "os_name": "posix", "platform_machine": "arm64"}},
}  # fmt: skip
HOST_PLATFORM = "linux-x64"


class ClosureError(Exception):
    pass


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_version(path: Path) -> tuple[str, str]:
    parts = path.name.split("-")
    return canonical(parts[0]), parts[1]


def pip_download(platform: str, specs: list[str], dest: Path, *, no_deps: bool,
                 offline: bool) -> None:  # fmt: skip
    cmd = [sys.executable, "-m", "pip", "download", "--dest", str(dest), "--only-binary=:all:",
           "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
           "--disable-pip-version-check", "--progress-bar", "off"]  # fmt: skip
    for tag in TARGETS[platform]["tags"]:
        cmd += ["--platform", tag]
    if no_deps:
        cmd.append("--no-deps")
    if offline:  # only local wheels: the machine's find-links and what an earlier run fetched
        cmd += ["--no-index", "--find-links", str(dest)]
    proc = subprocess.run(cmd + specs, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-2:])
        raise ClosureError(f"pip download for {platform} failed ({' '.join(specs)}): {tail}")


def requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode("utf-8", "replace")
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("Requires-Dist:")]  # fmt: skip


def resolve_host(requirements: list[str], dest: Path, *, offline: bool) -> list[Path]:
    """This machine's platform: pip's own resolver."""
    pip_download(HOST_PLATFORM, requirements, dest, no_deps=False, offline=offline)
    return sorted(dest.glob("*.whl"))


def resolve_foreign(platform: str, pinned: dict[str, str], dest: Path, *, offline: bool,
                    never: tuple[str, ...]) -> list[Path]:  # fmt: skip
    """Another platform: ``pinned`` versions (name -> version), plus target-only dependencies."""
    from packaging.requirements import Requirement

    env = {**PYTHON, **TARGETS[platform]["env"]}
    wanted = {name: f"{name}=={version.split('+')[0]}" for name, version in pinned.items()}
    done: dict[str, Path] = {}
    while pending := [n for n in wanted if n not in done]:
        pip_download(platform, [wanted[n] for n in pending], dest, no_deps=True, offline=offline)
        for wheel in dest.glob("*.whl"):
            done.setdefault(wheel_name_version(wheel)[0], wheel)
        missing = [n for n in pending if n not in done]
        if missing:
            raise ClosureError(f"no {platform} wheel found for {', '.join(missing)}")
        for name in pending:
            for line in requires(done[name]):
                req = Requirement(line)
                dep = canonical(req.name)
                if dep in wanted or dep in never:
                    continue
                if req.marker is None or req.marker.evaluate(env):
                    wanted[dep] = f"{dep}{req.specifier}"
    return sorted(dest.glob("*.whl"))
