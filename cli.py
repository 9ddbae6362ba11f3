"""Headless lip-sync bake.

    blender -b scene.blend --python cli.py -- --strip S --object O [--model CKPT] [--output OUT]
    python cli.py --blend scene.blend --strip NAME --object NAME [--output OUT.blend]   (bpy module)
    blender -c lipsync --blend scene.blend --all                        (installed extension)

``--all`` bakes every sound strip of the scene. Pairing rule: a strip goes onto the mapped meshes
whose name appears in the strip's name (case, spaces and underscores ignored: "Bob_line3" ->
"Bob"); a strip that names no mesh goes onto every mapped mesh. ``--strip``/``--object`` narrow
``--all`` down. Without ``--output`` the .blend is saved in place. Any error prints one line on
stderr and exits non-zero (2: bad arguments or scene, 1: the bake failed).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys

PACKAGE = "neurosync_lipsync"


def _package():
    """The extension: this package, the enabled extension, an installed checkout, or this folder."""
    if __package__:
        return importlib.import_module(__package__)
    for name, module in list(sys.modules.items()):
        if name.startswith("bl_ext.") and name.endswith("." + PACKAGE):
            return module
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        module = importlib.import_module(PACKAGE)
        if os.path.dirname(os.path.abspath(module.__file__)) == here:
            return module
    except ImportError:
        pass
    spec = importlib.util.spec_from_file_location(
        PACKAGE, os.path.join(here, "__init__.py"), submodule_search_locations=[here]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return module


def _argv(argv):
    if argv is not None:
        return list(argv)
    return sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else sys.argv[1:]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cli.py", description="Bake lip sync from sound strips.")
    p.add_argument("--blend", help="scene to open (optional when Blender already opened one)")
    p.add_argument("--scene", help="scene name (default: the active scene)")
    p.add_argument("--strip", help="sound strip name")
    p.add_argument("--object", help="face mesh name")
    p.add_argument("--all", action="store_true", help="every sound strip (see the pairing rule)")
    p.add_argument("--model", help="NeuroSync .pth checkpoint (default: the shipped model)")
    p.add_argument("--output", help="write the result here instead of saving in place")
    p.add_argument("--mode", choices=("nla", "action"), default="nla", help="where takes go")
    p.add_argument("--preset", default="auto", help="shape-key naming preset (default: auto)")
    p.add_argument("--emotion-strength", type=float, default=1.0)
    p.add_argument("--smoothing", choices=("none", "pairs", "savgol"), default="savgol")
    return p


class UsageError(Exception):
    pass


def _pairs(scene, bake, args):
    from_pkg = importlib.import_module(bake.__package__.rsplit(".", 1)[0] + ".core.naming")
    strips = [s.name for s in bake.sound_strips(scene)]
    if args.strip:
        if args.strip not in strips:
            raise UsageError(f"no sound strip named '{args.strip}' in scene '{scene.name}'")
        strips = [args.strip]
    if not args.all:
        if not (args.strip and args.object):
            raise UsageError("give --strip and --object, or --all")
        return [(args.strip, args.object)]
    import bpy

    meshes = [
        o.name
        for o in bpy.data.objects
        if o.type == "MESH"
        and from_pkg.map_names(bake.shape_key_names(o), args.preset).matched_count
    ]
    if args.object:
        meshes = [m for m in meshes if m == args.object]
    if not strips or not meshes:
        raise UsageError("--all found no sound strip or no mesh with ARKit shape keys")
    pairs = []
    for strip in strips:
        named = [m for m in meshes if from_pkg.normalize(m) in from_pkg.normalize(strip)]
        pairs += [(strip, m) for m in (named or meshes)]
    return pairs


def main(argv=None) -> int:
    args = parser().parse_args(_argv(argv))
    package = _package()
    import bpy

    bake = importlib.import_module(package.__name__ + ".operators.bake")
    errors = importlib.import_module(package.__name__ + ".core.errors")
    keying = importlib.import_module(package.__name__ + ".operators.keying")
    try:
        if args.blend:
            if not os.path.isfile(args.blend):
                raise UsageError(f"{args.blend}: no such .blend file")
            bpy.ops.wm.open_mainfile(filepath=os.path.abspath(args.blend))
        elif not bpy.data.filepath and not args.output:
            raise UsageError("no .blend opened: give --blend (or --output to save a new file)")
        scene = bpy.data.scenes.get(args.scene) if args.scene else bpy.context.scene
        if scene is None:
            raise UsageError(f"no scene named '{args.scene}'")
        settings = bake.BakeSettings(
            emotion_strength=args.emotion_strength,
            smoothing=args.smoothing,
            mode=args.mode.upper(),
            preset=args.preset,
            model_path=args.model,
        )
        pairs = _pairs(scene, bake, args)
    except (UsageError, RuntimeError, ValueError, bake.BakeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        for strip, obj in pairs:
            action, request = bake.bake(scene, strip, obj, settings)
            for warning in request.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            print(
                f"baked '{strip}' onto '{obj}' as '{action.name}' "
                f"({len(request.targets)} keys, preset {request.preset})"
            )
        out = os.path.abspath(args.output) if args.output else bpy.data.filepath
        bpy.ops.wm.save_as_mainfile(filepath=out, check_existing=False)
        print(f"saved {out}")
    except (
        errors.NeuroSyncError,
        bake.BakeError,
        keying.KeyingError,
        OSError,
        RuntimeError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    code = main()
    if code:
        sys.exit(code)
