"""The headless CLI's arguments and every check that needs no scene (blender_cli.py's step 1).

Nothing here imports bpy or torch, so bad arguments are refused in well under a second.
"""

from __future__ import annotations

import argparse
import math
import os

from ..core.errors import UsageError
from ..core.naming import AUTO, PRESET_IDS
from ..core.postprocess import SMOOTHING_MODES, ProductOptions
from ..core.secondary import cli_args as secondary_cli
from ..core.validate import check_output_file
from .limits import FRAME_RANGE

#: --emotion-strength range (the panel's slider).
STRENGTH_RANGE = (0.0, 2.0)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line through main's handler, not usage text + exit
        raise UsageError(message)


def finite_number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="blender_cli.py", description="Bake lip sync from sound strips.")
    p.add_argument("--blend", help="scene to open (optional when Blender already opened one)")
    p.add_argument("--scene", help="scene name (default: the active scene)")
    p.add_argument("--strip", help="sound strip name")
    p.add_argument("--object", help="face mesh name")
    p.add_argument("--all", action="store_true", help="every sound strip (see the pairing rule)")
    p.add_argument("--model", help="NeuroSync .pth checkpoint (default: the shipped model)")
    p.add_argument("--output", help="write the .blend here instead of saving in place")
    p.add_argument("--mode", choices=("nla", "action"), default="nla", help="where takes go")
    p.add_argument("--preset", default=AUTO, help="shape-key naming preset (default: auto)")
    p.add_argument("--emotion-strength", type=finite_number, default=1.0, help="0-2 (default 1)")
    p.add_argument("--smoothing", choices=SMOOTHING_MODES, default="savgol")
    p.add_argument("--export-gltf", metavar="OUT.glb", help="also write the takes as a .glb")
    p.add_argument("--import-csv", metavar="TAKE.csv", help="key a Live Link Face CSV take")
    p.add_argument("--frame", type=int, help="scene frame of the CSV's first row")
    p.add_argument("--armature", help="armature whose bones take the head (and eye) rotation")
    p.add_argument("--head-bone", help="bone of --armature for HeadYaw/HeadPitch/HeadRoll")
    p.add_argument("--head-object", help="object for HeadYaw/Pitch/Roll, on its rotation (bakes)")
    p.add_argument("--left-eye-bone", help="bone of --armature for LeftEyeYaw/Pitch/Roll (bakes)")
    p.add_argument("--right-eye-bone", help="bone of --armature for RightEyeYaw/Pitch/Roll (bakes)")
    secondary_cli.add_arguments(p)
    return p


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse and check ``argv``; output paths come back resolved (symlinks followed) and
    ``args.product`` holds the bake's checked engine options (emotion, smoothing, face motion).

    Raises
    ------
    UsageError
        One line naming the option, the value and what is allowed.
    core.errors.OptionsError
        A face-motion or emotion switch out of range (e.g. ``--brows-strength 3``).
    core.errors.OutputError
        An output location that cannot be written.
    """
    args = parser().parse_args(argv)
    low, high = STRENGTH_RANGE
    if not low <= args.emotion_strength <= high:
        raise UsageError(
            f"--emotion-strength {args.emotion_strength:g}: must be within {low:g}-{high:g}"
        )
    if args.preset not in (AUTO, *PRESET_IDS):
        allowed = ", ".join((AUTO, *PRESET_IDS))
        raise UsageError(f"--preset {args.preset!r}: unknown naming preset; use one of {allowed}")
    _check_combination(args)
    args.product = ProductOptions(
        emotion_strength=args.emotion_strength,
        smoothing=args.smoothing,
        **secondary_cli.product_kwargs(args),
    )
    if args.frame is not None and not FRAME_RANGE[0] <= args.frame <= FRAME_RANGE[1]:
        raise UsageError(f"--frame {args.frame}: must be within {FRAME_RANGE[0]}..{FRAME_RANGE[1]}")
    if args.model is not None:
        _check_input_file("--model", args.model)
    if args.import_csv is not None:
        _check_input_file("--import-csv", args.import_csv)
    if args.blend is not None:
        _check_input_file("--blend", args.blend, ".blend file")
        with open(args.blend, "rb") as fh:
            head = fh.read(8)
        if not head.startswith((b"BLENDER", b"\x28\xb5\x2f\xfd", b"\x1f\x8b")):
            raise UsageError(f"--blend {args.blend}: not a .blend file")
    if args.output is not None:
        args.output = output_path(args.output, ".blend", "--output")
    if args.export_gltf is not None:
        args.export_gltf = output_path(args.export_gltf, ".glb", "--export-gltf")
    return args


def output_path(path: str, suffix: str, option: str) -> str:
    """The real path an output option writes to, checked (see core.validate)."""
    return str(check_output_file(path, option=option, suffixes=(suffix,)))


def _check_combination(args) -> None:
    if args.import_csv is not None:
        if args.all or args.strip:
            raise UsageError("--import-csv takes --object, not --strip or --all")
        if not args.object:
            raise UsageError("--import-csv needs --object (the face to key)")
        if args.model:
            raise UsageError("--model is for bakes; --import-csv runs no model")
        if args.head_object:
            raise UsageError("--head-object is for bakes, not --import-csv")
        if args.left_eye_bone or args.right_eye_bone:
            raise UsageError("--left-eye-bone and --right-eye-bone are for bakes, not --import-csv")
        moved = secondary_cli.changed(args)
        if moved:
            raise UsageError(f"{', '.join(moved)}: for bakes; a CSV take is keyed as captured")
    elif args.frame is not None:
        raise UsageError("--frame goes with --import-csv")
    elif not args.all and not (args.strip and args.object):
        raise UsageError("give --strip and --object, or --all, or --import-csv with --object")
    if args.head_object and args.head_bone:
        raise UsageError("give --head-bone or --head-object, not both")
    eyes = args.left_eye_bone or args.right_eye_bone
    if bool(args.armature) != bool(args.head_bone or eyes):
        what = "--head-bone" if not eyes else "--left-eye-bone/--right-eye-bone"
        raise UsageError(f"--armature and {what} go together")


def _check_input_file(option: str, path: str, kind: str = "file") -> None:
    if not os.path.exists(path):
        raise UsageError(f"{option} {path}: no such {kind}")
    if not os.path.isfile(path):
        kind = "a folder" if os.path.isdir(path) else "not a regular file"
        raise UsageError(f"{option} {path}: {kind}")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{option} {path}: not readable")
