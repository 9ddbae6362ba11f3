"""``neurosync``: audio to ARKit/LiveLink curves from the command line.

    neurosync infer AUDIO -o OUT [--model CKPT] [--reference] [--fps F] [--format csv|json|npz]
                   [--emotion-strength S] [--smoothing none|pairs|savgol] [--device ...]
                   [--no-blinks --no-gaze --no-brows --no-head] [--PART-strength S] [--seed N]
                   [--emotion NAME --emotion-intensity X | --emotion-key TIME:NAME:X ...]
    neurosync info CKPT

Errors print one line on stderr and exit non-zero; no output file is left behind.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .errors import NeuroSyncError
from .secondary import cli_args as secondary_cli

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="neurosync", description=__doc__.split("\n")[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True)

    infer = sub.add_parser("infer", help="generate curves for an audio file")
    infer.add_argument("audio", help="audio file (wav, flac, ogg, mp3)")
    infer.add_argument("-o", "--output", required=True, help="output file (.csv, .json or .npz)")
    infer.add_argument("--model", help="NeuroSync .pth checkpoint (default: the shipped model)")
    infer.add_argument(
        "--reference",
        action="store_true",
        help="reproduce NeuroSync's own post-processing exactly (60 fps)",
    )
    infer.add_argument("--fps", type=float, default=60.0, help="output frame rate (default 60)")
    infer.add_argument("--start", type=float, default=0.0, help="audio time of the first frame, s")
    infer.add_argument("--format", choices=("csv", "json", "npz"), help="default: from the suffix")
    infer.add_argument("--emotion-strength", type=float, default=1.0, help="0-2 (default 1)")
    infer.add_argument("--smoothing", choices=("none", "pairs", "savgol"), default="savgol")
    infer.add_argument("--no-clamp", action="store_true", help="do not clip weights to [0, 1]")
    infer.add_argument(
        "--backend",
        default="numpy",
        choices=("numpy", "torch"),
        help="what runs the model: numpy (default, built in) or torch (if installed)",
    )
    infer.add_argument(
        "--device",
        default="cpu",
        choices=("auto", "cpu", "cuda", "mps"),
        help="where the torch backend runs (default cpu)",
    )
    infer.add_argument("--threads", type=int, help="torch or BLAS threads (default: automatic)")
    infer.add_argument("--batch-size", type=int, default=8, help="windows per forward pass")
    secondary_cli.add_arguments(infer)

    info = sub.add_parser("info", help="describe a checkpoint")
    info.add_argument("checkpoint", nargs="?", help="default: the shipped model")
    return parser


class ProgressBar:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.enabled = stream.isatty()
        self.last = 0.0

    def __call__(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and fraction < 1.0):
            return
        self.last = now
        filled = int(30 * fraction)
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {stage:<16}")
        if fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()


def _infer(args: argparse.Namespace) -> int:
    from .export import format_from_path, write_result
    from .pipeline import generate
    from .postprocess import ProductOptions

    fmt = format_from_path(args.output, args.format)
    out_dir = Path(args.output).resolve().parent
    if not out_dir.is_dir():
        raise NeuroSyncError(f"{args.output}: the output folder {out_dir} does not exist")
    options = None
    if args.reference:
        secondary_cli.refuse_with_reference(args)
    if not args.reference:
        options = ProductOptions(
            emotion_strength=args.emotion_strength,
            smoothing=args.smoothing,
            clamp=not args.no_clamp,
            fps=args.fps,
            start_time=args.start,
            **secondary_cli.product_kwargs(args),
        )
    elif args.fps != 60.0:
        raise NeuroSyncError("--reference output is always 60 fps; drop --fps or --reference")
    result = generate(
        args.audio,
        model=args.model,
        options=options,
        reference=args.reference,
        backend=args.backend,
        device=args.device,
        threads=args.threads,
        batch_size=args.batch_size,
        progress=ProgressBar(),
    )
    write_result(result, args.output, fmt)
    log.info("wrote %d frames at %g fps to %s", result.num_frames, result.fps, args.output)
    return 0


def _info(args: argparse.Namespace) -> int:
    from .checkpoint import load_checkpoint

    loaded = load_checkpoint(args.checkpoint)
    cfg = loaded.config
    print(f"file:            {loaded.path}")
    print(
        f"family:          {cfg.family} "
        f"({'NeuroSync 0.1a' if cfg.family == 'v01a' else 'NeuroSync 2025'})"
    )
    for key, value in cfg.to_json().items():
        if key != "family":
            print(f"{key + ':':<17}{value}")
    print(f"parameters:      {loaded.parameter_count:,}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="neurosync: %(message)s"
    )
    handler = _infer if args.command == "infer" else _info
    try:
        return handler(args)
    except NeuroSyncError as exc:
        if args.debug:
            raise
        print(f"neurosync: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the output cannot be written
        if args.debug:
            raise
        print(f"neurosync: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neurosync: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
