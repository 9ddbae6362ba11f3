"""``neurosync``: audio to ARKit/LiveLink curves from the command line.

    neurosync infer AUDIO [AUDIO ...] -o OUT [--model CKPT] [--jobs N] [--report run.json]
                   [--quiet] [--reference] [--fps F] [--start S] [--format csv|json|npz]
                   [--emotion-strength S] [--smoothing none|pairs|savgol] [--device ...]
                   [--no-blinks --no-gaze --no-brows --no-head] [--PART-strength S] [--seed N]
                   [--emotion NAME --emotion-intensity X | --emotion-key TIME:NAME:X ...]
    neurosync info [CKPT]
    neurosync --version

AUDIO: files or folders (searched for audio files); with several, OUT is a folder. Exit codes:
0 everything asked for was written; 1 a failure during the work (in a batch: some files failed,
the others are written); 2 bad arguments, inputs or output locations (nothing was started);
130/143 interrupted by SIGINT/SIGTERM (no partial file is left). Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

from .atomic import Interrupted, remove_stale_temps, resolve_target, signals_raise
from .errors import NeuroSyncError, OptionsError, OutputError
from .postprocess import SMOOTHING_MODES
from .secondary import cli_args as secondary_cli
from .validate import (
    CPUS,
    MAX_BATCH_SIZE,
    MAX_FPS,
    MAX_JOBS,
    MAX_START_SECONDS,
    MIN_FPS,
    bounded,
    check_output_file,
)

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block), exit 2."""

    def error(self, message: str):
        self.exit(2, f"neurosync: error: {message}\n")


class _Version(argparse.Action):
    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show versions and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        from .about import version_text

        print(version_text())  # stdout: parser.exit would print to stderr
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="neurosync", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", required=True)
    add_infer_arguments(sub.add_parser("infer", help="generate curves for audio files"))
    info = sub.add_parser("info", help="describe a checkpoint (default: the shipped model)")
    info.add_argument("checkpoint", nargs="?", help="default: the shipped model")
    return parser


def add_infer_arguments(infer: argparse.ArgumentParser) -> None:
    """Every ``infer`` argument, with its allowed range (refused at parse time, exit 2)."""
    infer.add_argument("audio", nargs="+", help="audio files or folders of audio files")
    infer.add_argument(
        "-o", "--output", required=True, help="output file; a folder for several inputs"
    )
    infer.add_argument("--model", help="NeuroSync .pth checkpoint (default: the shipped model)")
    infer.add_argument(
        "--reference",
        action="store_true",
        help="reproduce NeuroSync's own post-processing exactly (60 fps)",
    )
    infer.add_argument(
        "--fps", type=bounded(float, MIN_FPS, MAX_FPS, "fps"), default=60.0, help="default 60"
    )
    infer.add_argument(
        "--start",
        type=bounded(float, 0.0, MAX_START_SECONDS, "s"),
        default=0.0,
        help="audio time of the first frame, s",
    )
    infer.add_argument("--format", choices=("csv", "json", "npz"), help="default: from the suffix")
    # range checked by ProductOptions (same message as the Blender operator's), before any work
    infer.add_argument("--emotion-strength", type=float, default=1.0, help="0-2 (default 1)")
    infer.add_argument("--smoothing", choices=SMOOTHING_MODES, default="savgol")
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
    infer.add_argument(
        "--threads",
        type=bounded(int, 1, CPUS),
        help=f"torch or BLAS threads, 1-{CPUS} (default: auto)",
    )
    infer.add_argument(
        "--batch-size",
        type=bounded(int, 1, MAX_BATCH_SIZE),
        default=8,
        help="windows per forward pass",
    )
    infer.add_argument(
        "-j",
        "--jobs",
        type=bounded(int, 1, MAX_JOBS),
        default=1,
        help=f"files processed in parallel, 1-{MAX_JOBS} processes (default 1)",
    )
    infer.add_argument("--report", help="write a JSON report of every input to this file")
    infer.add_argument("-q", "--quiet", action="store_true", help="no progress, no 'ok' lines")
    secondary_cli.add_arguments(infer)


def infer_settings(args: argparse.Namespace):
    """The per-file settings from parsed ``infer`` arguments (validated, before any work)."""
    from .postprocess import ProductOptions
    from .runner import Settings

    if args.reference and args.fps != 60.0:
        raise OptionsError("--reference output is always 60 fps; drop --fps or --reference")
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
    return Settings(
        options, args.reference, args.device, args.threads, args.batch_size, args.backend
    )


def _infer(args: argparse.Namespace) -> int:
    from .about import file_sha256
    from .batch import plan
    from .checkpoint import DEFAULT_MODEL_PATH
    from .progress import RunProgress
    from .runner import run, write_report

    for path in (args.output, args.report):  # even a run refused below cleans up after a kill
        if path:
            remove_stale_temps(resolve_target(path))
    settings = infer_settings(args)
    work = plan(args.audio, args.output, args.format)
    for job in work.jobs:  # a batch's outputs, also when the run is refused below
        remove_stale_temps(job.target)
    if args.report:
        report = check_output_file(args.report, label="report")
        if report in {job.target for job in work.jobs}:
            raise OutputError(f"{args.report}: --report names a file that is also an output")
    names = [job.source.name for job in work.jobs]
    sizes = [job.source.stat().st_size for job in work.jobs]
    progress = RunProgress(names, sizes, quiet=args.quiet)
    try:
        outcomes = run(work, args.model, settings, jobs=args.jobs, progress=progress)
    finally:
        progress.close()
    failed = [o for o in outcomes if not o.ok]
    if work.batch:
        code = 1 if failed else 0
        for o in outcomes:
            if not o.ok:
                print(f"neurosync: failed  {o.error}", file=sys.stderr)
            elif not args.quiet:
                print(
                    f"neurosync: ok      {o.source} -> {o.output} ({o.frames} frames, "
                    f"{o.duration:.2f} s of audio, {o.seconds:.1f} s)",
                    file=sys.stderr,
                )
        print(
            f"neurosync: {len(outcomes) - len(failed)} of {len(outcomes)} files written, "
            f"{len(failed)} failed",
            file=sys.stderr,
        )
    else:
        code = outcomes[0].code
        if failed:
            print(f"neurosync: error: {failed[0].error}", file=sys.stderr)
    if args.report:
        model = Path(args.model) if args.model else DEFAULT_MODEL_PATH
        family = next((o.family for o in outcomes if o.ok), None)
        info = {"path": str(model), "family": family, "sha256": file_sha256(model)}
        write_report(args.report, outcomes, info, code)
    return code


def _info(args: argparse.Namespace) -> int:
    from .about import file_sha256
    from .checkpoint import load_checkpoint

    loaded = load_checkpoint(args.checkpoint)
    cfg = loaded.config
    shipped = " (the shipped default model)" if args.checkpoint is None else ""
    print(f"file:            {loaded.path}{shipped}")
    print(
        f"family:          {cfg.family} "
        f"({'NeuroSync 0.1a' if cfg.family == 'v01a' else 'NeuroSync 2025'})"
    )
    for key, value in cfg.to_json().items():
        if key != "family":
            print(f"{key + ':':<17}{value}")
    print(f"parameters:      {loaded.parameter_count:,}")
    print(f"sha256:          {file_sha256(loaded.path)}")
    if args.checkpoint is None:
        card = loaded.path.parent / "MODEL_CARD.md"
        print("about:           our own weights, trained on synthetic speech; mouth, jaw and")
        print("                 tongue move, eyes/brows/head rest, emotion is always Neutral")
        print(f"model card:      {card}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="neurosync: %(message)s"
    )
    if not args.debug:  # library warnings (torch, librosa) would break "one line on stderr"
        warnings.simplefilter("ignore")
    handler = _infer if args.command == "infer" else _info
    try:
        with signals_raise():  # a signal raises where Python runs: every temp file is removed
            return handler(args)
    except NeuroSyncError as exc:
        if args.debug:
            raise
        from .runner import exit_code

        print(f"neurosync: error: {exc}", file=sys.stderr)
        return exit_code(exc)
    except Interrupted as exc:
        print(f"neurosync: interrupted by {exc}; no partial file was left", file=sys.stderr)
        return 128 + exc.signum
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback (--debug shows it)
        if args.debug:
            raise
        print(f"neurosync: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
