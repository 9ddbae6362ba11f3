"""Build the Blender extension: wheel closure per platform, manifest wheel list, split zips.

    .venv/bin/python tools/build_extension.py [--platform linux-x64 ...] [--offline] [--dist dist]

Steps:
1. The runtime requirements are ``[project] dependencies`` of pyproject.toml, numpy left out
   (Blender's own is used). Their wheel closure is downloaded for each platform and for both of
   Blender's Pythons (3.11 for 4.2-5.0, 3.13 for 5.1-5.3) into ``build/wheels/<platform>/``
   (tools/wheel_closure.py).
2. A copy of the repository is staged in ``build/stage/`` without what the manifest's
   ``[build] paths_exclude_pattern`` excludes, with the wheels in ``wheels/`` and the
   manifest's ``wheels`` list written (the committed manifest stays without one).
3. ``blender_ext.py build --split-platforms`` (the tool inside the bpy wheel) writes
   ``dist/neurosync_lipsync-<version>-<platform>.zip``; each zip is then validated.

Needs the bpy module in the running interpreter only to find ``blender_ext.py``; pass
``--blender-ext`` to use another copy. Prints one JSON line per zip.
"""

from __future__ import annotations

import argparse
import fnmatch
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
from wheel_closure import PYTHONS, TARGETS, ClosureError, canonical, resolve, wheel_name  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
NEVER_SHIP = ("numpy",)
#: Never copied into the stage, whatever the manifest says (large, and never part of a build).
STAGE_SKIP = (".git", ".venv", ".venv-bpy42", ".venv-bpy45", ".venv-bpy53", "build", "dist")


class BuildError(Exception):
    pass


def runtime_requirements() -> list[str]:
    """pyproject's runtime dependencies, without the packages Blender provides."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [d for d in deps if canonical(re.split(r"[=<>!~; \[]", d)[0]) not in NEVER_SHIP]


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


def download(platforms: list[str], offline: bool) -> list[Path]:
    """Every platform's closure for every Blender Python, numpy removed."""
    wheels: dict[str, Path] = {}
    for platform in platforms:
        for python in PYTHONS:
            dest = BUILD / "wheels" / platform / python
            for wheel in resolve(platform, python, runtime_requirements(), dest, offline=offline):
                if wheel_name(wheel) not in NEVER_SHIP:
                    wheels.setdefault(wheel.name, wheel)
        print(f"{platform}: wheels resolved", file=sys.stderr)
    return sorted(wheels.values())


def excluded(manifest: dict):
    """A shutil.copytree ignore function from the manifest's gitignore-style exclude patterns."""
    patterns = manifest.get("build", {}).get("paths_exclude_pattern", [])

    def ignore(folder: str, names: list[str]) -> set[str]:
        rel = Path(folder).resolve().relative_to(ROOT).as_posix()
        out = set()
        for name in names:
            path = f"/{name}" if rel == "." else f"/{rel}/{name}"
            is_dir = os.path.isdir(os.path.join(folder, name))
            if rel == "." and name in STAGE_SKIP:
                out.add(name)
            for pattern in patterns:
                dir_only = pattern.endswith("/")
                pat = pattern.rstrip("/")
                if dir_only and not is_dir:
                    continue
                target = path if pat.startswith("/") else name
                if fnmatch.fnmatch(target, pat):
                    out.add(name)
        return out

    return ignore


def stage(wheels: list[Path], platforms: list[str], stage_dir: Path) -> dict:
    """A copy of the extension with its wheels and a manifest that lists them; the manifest."""
    text = (ROOT / "blender_manifest.toml").read_text()
    manifest = tomllib.loads(text)
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    shutil.copytree(ROOT, stage_dir, ignore=excluded(manifest))
    wheel_dir = stage_dir / "wheels"
    wheel_dir.mkdir(exist_ok=True)
    for wheel in wheels:
        shutil.copy2(wheel, wheel_dir / wheel.name)
    listing = "wheels = [\n" + "".join(f'  "./wheels/{w.name}",\n' for w in wheels) + "]\n"
    text = re.sub(r"(?m)^platforms = \[.*\]$", f"platforms = {json.dumps(platforms)}", text)
    head, sep, tail = text.partition("\n[")  # top-level keys must come before the first [table]
    (stage_dir / "blender_manifest.toml").write_text(head.rstrip() + "\n\n" + listing + sep + tail)
    return manifest


def run_tool(tool: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, str(tool), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"blender_ext.py {args[0]} failed: {(proc.stdout + proc.stderr).strip()}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--platform", action="append", choices=sorted(TARGETS),
                   help="platform to build (repeatable; default: all)")  # fmt: skip
    p.add_argument("--offline", action="store_true", help="use only wheels fetched before")
    p.add_argument("--dist", default=str(ROOT / "dist"), help="output folder for the zips")
    p.add_argument("--blender-ext", help="path to blender_ext.py (default: the bpy wheel's)")
    args = p.parse_args(argv)
    platforms = args.platform or list(TARGETS)
    try:
        tool, tags = blender_ext_paths(args.blender_ext)
        wheels = download(platforms, args.offline)
        stage_dir = BUILD / "stage"
        manifest = stage(wheels, platforms, stage_dir)
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
            size = round(zip_path.stat().st_size / 2**20, 2)
            print(json.dumps({"platform": platform, "zip": str(zip_path), "mib": size}))
    except (BuildError, ClosureError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
