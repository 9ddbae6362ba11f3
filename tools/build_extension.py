"""Build the Blender extension: wheel closure per platform, manifest wheel list, split zips.

    .venv/bin/python tools/build_extension.py [--platform linux-x64 ...] [--offline] [--dist dist]

Steps:
1. Download the complete wheel closure of ``REQUIREMENTS`` for each platform (CPython 3.11,
   binary wheels only) into ``build/wheels/<platform>/`` (tools/wheel_closure.py: pip's own
   resolver for linux-x64, the same versions with the target's markers for the others). The
   resolver sees numpy pinned to ``--numpy`` (Blender's own: 1.26.4 in 4.5/5.0) so that scipy
   & co. match it, and the numpy wheel is then dropped: extensions' wheels go before Blender's
   on sys.path, so a shipped numpy would replace Blender's. Linux torch is the ``+cpu`` build
   (the machine's pip config finds it on local disk; PyPI's Linux torch is the CUDA one).
2. Stage a copy of the repository in ``build/stage/`` with the wheels in ``wheels/`` and the
   manifest's ``wheels`` list written (the committed manifest stays without one).
3. ``blender_ext.py build --split-platforms`` (the tool inside the bpy wheel) writes
   ``dist/neurosync_lipsync-<version>-<platform>.zip``; each zip is then validated.

Needs the bpy module in the running interpreter only to find ``blender_ext.py``; pass
``--blender-ext`` to use another copy. Prints one JSON line per zip.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wheel_closure import (  # noqa: E402
    HOST_PLATFORM,
    TARGETS,
    ClosureError,
    resolve_foreign,
    resolve_host,
    wheel_name_version,
)

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"

REQUIREMENTS = ["torch==2.13.0", "librosa==0.11.0", "scipy", "soundfile"]
#: Extra pins per platform: Linux must get the CPU build of torch.
PLATFORM_PINS = {"linux-x64": ["torch==2.13.0+cpu"]}
NEVER_SHIP = ("numpy",)
STAGE_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "wheels", "__pycache__", "*.pyc", ".ruff_cache",
    ".pytest_cache", "*.egg-info", "tests", "training", "benchmarks", "tools", "demo",
)  # fmt: skip


class BuildError(Exception):
    pass


def blender_ext_paths(override: str | None) -> tuple[Path, Path | None]:
    """blender_ext.py and Blender's tags.py from the bpy wheel."""
    if override:
        return Path(override), None
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError("the bpy module is not installed here; pass --blender-ext PATH")
    base = spec.submodule_search_locations[0]
    tool = glob.glob(
        os.path.join(base, "*", "scripts", "addons_core", "bl_pkg", "cli", "blender_ext.py")
    )
    tags = glob.glob(
        os.path.join(base, "*", "scripts", "modules", "_bpy_internal", "extensions", "tags.py")
    )
    if not tool:
        raise BuildError(f"blender_ext.py not found under {base}")
    return Path(tool[0]), Path(tags[0]) if tags else None


def download(numpy: str, offline: bool, platforms: list[str]) -> dict[str, list[Path]]:
    """The wheel closure per platform, numpy removed (see tools/wheel_closure.py)."""
    host_dir = BUILD / "wheels" / HOST_PLATFORM
    pins = PLATFORM_PINS[HOST_PLATFORM]
    pinned = {re.split(r"[=<>]", p)[0] for p in pins}
    reqs = pins + [r for r in REQUIREMENTS if re.split(r"[=<>]", r)[0] not in pinned]
    host_dir.mkdir(parents=True, exist_ok=True)
    host = resolve_host(reqs + [f"numpy=={numpy}"], host_dir, offline=offline)
    versions = dict(wheel_name_version(w) for w in host)
    out = {}
    for platform in platforms:
        if platform == HOST_PLATFORM:
            wheels = host
        else:
            dest = BUILD / "wheels" / platform
            dest.mkdir(parents=True, exist_ok=True)
            wheels = resolve_foreign(platform, {n: v for n, v in versions.items()
                                                if n not in NEVER_SHIP}, dest, offline=offline,
                                     never=NEVER_SHIP)  # fmt: skip
        out[platform] = [w for w in wheels if wheel_name_version(w)[0] not in NEVER_SHIP]
        print(f"{platform}: {len(out[platform])} wheels", file=sys.stderr)
    return out


def stage(wheels: list[Path], stage_dir: Path) -> Path:
    """A copy of the extension with its wheels and a manifest that lists them."""
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    shutil.copytree(ROOT, stage_dir, ignore=STAGE_IGNORE)
    wheel_dir = stage_dir / "wheels"
    wheel_dir.mkdir()
    names = []
    for wheel in wheels:
        if not (wheel_dir / wheel.name).exists():
            shutil.copy2(wheel, wheel_dir / wheel.name)
            names.append(wheel.name)
    manifest = stage_dir / "blender_manifest.toml"
    text = manifest.read_text()
    listing = "wheels = [\n" + "".join(f'  "./wheels/{n}",\n' for n in sorted(names)) + "]\n"
    # Top-level keys must come before the first [table].
    head, sep, tail = text.partition("\n[")
    manifest.write_text(head.rstrip() + "\n\n" + listing + sep + tail)
    return stage_dir


def run_tool(tool: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, str(tool), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"blender_ext.py {args[0]} failed: {(proc.stdout + proc.stderr).strip()}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--platform", action="append", choices=sorted(TARGETS),
                   help="platform to build (repeatable; default: all three)")  # fmt: skip
    p.add_argument("--numpy", default="1.26.4", help="Blender's numpy to resolve against")
    p.add_argument("--offline", action="store_true", help="use only local wheels (pip --no-index)")
    p.add_argument("--dist", default=str(ROOT / "dist"), help="output folder for the zips")
    p.add_argument("--blender-ext", help="path to blender_ext.py (default: the bpy wheel's)")
    args = p.parse_args(argv)
    platforms = args.platform or list(TARGETS)
    try:
        tool, tags = blender_ext_paths(args.blender_ext)
        per_platform = download(args.numpy, args.offline, platforms)
        wheels = [w for platform in platforms for w in per_platform[platform]]
        stage_dir = stage(wheels, BUILD / "stage")
        manifest = tomllib.loads((stage_dir / "blender_manifest.toml").read_text())
        manifest_platforms = [pl for pl in manifest["platforms"] if pl in platforms]
        if manifest_platforms != manifest["platforms"]:  # build only what was downloaded
            text = (stage_dir / "blender_manifest.toml").read_text()
            text = re.sub(r"(?m)^platforms = \[.*\]$", f"platforms = {json.dumps(platforms)}", text)
            (stage_dir / "blender_manifest.toml").write_text(text)
        tag_args = [f"--valid-tags={tags}"] if tags else []
        run_tool(tool, "validate", str(stage_dir), *tag_args)
        dist = Path(args.dist)
        dist.mkdir(parents=True, exist_ok=True)
        run_tool(tool, "build", "--source-dir", str(stage_dir), "--output-dir", str(dist),
                 "--split-platforms", *tag_args)  # fmt: skip
        for platform in platforms:
            suffix = platform.replace("-", "_")
            zip_path = dist / f"{manifest['id']}-{manifest['version']}-{suffix}.zip"
            if not zip_path.is_file():
                raise BuildError(f"expected {zip_path} after the build")
            run_tool(tool, "validate", str(zip_path), *tag_args)
            size = round(zip_path.stat().st_size / 2**20, 1)
            print(json.dumps({"platform": platform, "zip": str(zip_path), "mib": size}))
    except (BuildError, ClosureError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
