"""The command-line switches of the secondary layer and directed emotion.

Shared by ``neurosync infer`` (:mod:`core.cli`) and the headless Blender CLI
(``blender/headless_args.py``): each adds :func:`add_arguments` to its parser and passes
:func:`product_kwargs` into ProductOptions.
"""

from __future__ import annotations

import argparse

from ..constants import EMOTION_NAMES
from ..errors import OptionsError
from .options import PARTS, SecondaryOptions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("secondary motion and emotion (product mode)")
    for part in PARTS:
        group.add_argument(f"--no-{part}", action="store_true", help=f"no generated {part}")
        group.add_argument(
            f"--{part}-strength", type=float, default=1.0, metavar="S", help="0-2 (default 1)"
        )
    group.add_argument("--seed", type=int, default=0, help="seed of the secondary motion")
    group.add_argument(
        "--emotion", choices=EMOTION_NAMES, help="direct this emotion for the whole take"
    )
    group.add_argument(
        "--emotion-intensity", type=float, default=1.0, metavar="X", help="0-1 (default 1)"
    )
    group.add_argument(
        "--emotion-key",
        action="append",
        default=[],
        metavar="TIME:NAME:X",
        help="key a directed emotion at TIME seconds (repeat to build a track)",
    )


def product_kwargs(args: argparse.Namespace) -> dict[str, object]:
    """ProductOptions keyword arguments from the parsed switches."""
    secondary = SecondaryOptions(
        **{part: not getattr(args, f"no_{part}") for part in PARTS},
        strengths={part: getattr(args, f"{part}_strength") for part in PARTS},
        seed=args.seed,
    )
    return {
        "emotion": args.emotion,
        "emotion_intensity": args.emotion_intensity,
        "emotion_keys": tuple(_parse_key(k) for k in args.emotion_key),
        "secondary": secondary,
    }


def _parse_key(text: str) -> tuple[float, str, float]:
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        return float(parts[0]), parts[1], float(parts[2])
    except ValueError:
        raise OptionsError(
            f"--emotion-key {text!r}: expected TIME:NAME:INTENSITY, e.g. 2.5:Happy:0.8"
        ) from None


def changed(args: argparse.Namespace) -> list[str]:
    """The switches of this group that the command line moved off their defaults."""
    moved = [f"--no-{p}" for p in PARTS if getattr(args, f"no_{p}")]
    moved += [f"--{p}-strength" for p in PARTS if getattr(args, f"{p}_strength") != 1.0]
    moved += ["--emotion"] * bool(args.emotion) + ["--emotion-key"] * bool(args.emotion_key)
    return moved


def refuse_with_reference(args: argparse.Namespace) -> None:
    """Reference mode is the publishing code's output exactly: it takes none of these."""
    moved = changed(args)
    if moved:
        raise OptionsError(
            f"--reference reproduces NeuroSync's output exactly; drop {', '.join(moved)}"
        )
