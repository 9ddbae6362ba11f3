"""The headless CLI (root ``blender_cli.py``): check everything, then bake/import, save, export.

Three steps, and the exit status says which one stopped (see ``blender_cli.py``):
:func:`.headless_args.parse` (no scene), :func:`prepare` (opens the scene, checks strips,
faces, bones, loads the model; exit 2, nothing written) and :func:`run` (the work and the
writes; exit 1 on a failure).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import bpy

from ..core.atomic import Interrupted, remove_stale_temps, signals_raise
from ..core.errors import REPORTED, AudioError, NeuroSyncError, UsageError
from ..core.livelink_csv import CSVTake, read_livelink_csv
from ..core.naming import map_names
from ..core.pairing import pair_strips
from .bake import (
    BakeSettings,
    RigTargets,
    bake,
    load_model,
    shape_key_names,
    sound_strips,
)
from .headless_args import output_path, parse
from .keying import is_take

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Failures during the work: ours, the OS's, and bpy's RuntimeError (a save or export refused).
_WORK_ERRORS = (*REPORTED, RuntimeError)


@dataclass(frozen=True)
class Job:
    """What a checked command line asks for, ready to run."""

    scene: str
    pairs: tuple[tuple[str, str], ...]  # ((strip, face), ...)
    skipped: tuple[tuple[str, str], ...]  # ((strip, reason), ...)
    batch: bool
    settings: BakeSettings | None
    csv: CSVTake | None = None
    face: str | None = None  # --import-csv's face
    frame: int = 1
    preset: str = "auto"
    mode: str = "NLA"
    head: tuple[str, str] | None = None  # (armature name, bone name)
    blend_target: str | None = None
    gltf_target: str | None = None


def error(text) -> None:
    print(f"error: {text}", file=sys.stderr)


def warn(text) -> None:
    print(f"warning: {text}", file=sys.stderr)


def main(argv: list[str]) -> int:
    """Parse, prepare and run; returns the exit status. SIGTERM/SIGINT leave no temp file."""
    try:
        with signals_raise():
            try:
                job = prepare(parse(argv))
            except NeuroSyncError as exc:  # UsageError and the domain errors alike
                error(exc)
                return EXIT_USAGE
            return run(job)
    except Interrupted as exc:
        error(f"interrupted by {exc}; no output was replaced")
        return 128 + exc.signum
    except ImportError as exc:  # torch or librosa absent: this Blender lacks the wheels
        error(f"module '{exc.name}' is missing: install the extension's wheels; nothing was saved")
        return EXIT_FAILED


def prepare(args) -> Job:
    """Open the scene and check everything the work needs. Raises UsageError or a domain error."""
    if args.blend is not None:
        try:
            bpy.ops.wm.open_mainfile(filepath=os.path.abspath(args.blend))
        except RuntimeError as exc:
            raise UsageError(
                f"--blend {args.blend}: Blender cannot open it ({_one_line(exc)})"
            ) from None
    elif not bpy.data.filepath and not (args.output or args.export_gltf):
        raise UsageError("no .blend opened: give --blend (or --output to save a new file)")
    scene = bpy.data.scenes.get(args.scene) if args.scene else bpy.context.scene
    if scene is None:
        raise UsageError(f"--scene: no scene named '{args.scene}'")
    blend_target = args.output
    if blend_target is None and args.export_gltf is None:
        blend_target = output_path(bpy.data.filepath, ".blend", "the open .blend")
    for target in (blend_target, args.export_gltf):
        for path in remove_stale_temps(target) if target else ():
            print(f"removed stale temp file {path}")
    mode = args.mode.upper()
    common = {
        "blend_target": blend_target,
        "gltf_target": args.export_gltf,
        "scene": scene.name,
        "preset": args.preset,
        "mode": mode,
    }
    if args.import_csv is not None:
        from .import_csv import check_head_bone

        check_face(args.object, args.preset, mode)
        take = read_livelink_csv(args.import_csv)
        take.channel_curves(1.0)  # raises when no column names an ARKit channel
        if args.head_bone:
            check_head_bone(args.armature, args.head_bone)
        frame = scene.frame_start if args.frame is None else args.frame
        head = (args.armature, args.head_bone) if args.head_bone else None
        return Job(pairs=(), skipped=(), batch=False, settings=None, csv=take,
                   face=args.object, frame=frame, head=head, **common)  # fmt: skip
    strips = [s.name for s in sound_strips(scene)]
    if args.strip is not None and args.strip not in strips:
        raise UsageError(f"--strip: no sound strip named '{args.strip}' in scene '{scene.name}'")
    if args.all:
        strips = [args.strip] if args.strip else strips
        if args.object:
            check_face(args.object, args.preset, mode)  # before pairing: its own message
            faces = [args.object]
        else:
            faces = [o.name for o in bpy.data.objects if _mapped(o, args.preset)]
        pairs, skipped = pair_strips(strips, faces)
        if not pairs:
            why = "; ".join(f"'{s}': {r}" for s, r in skipped) or f"scene '{scene.name}' has none"
            raise UsageError(f"--all: no sound strip pairs with a face: {why}")
    else:
        pairs, skipped = [(args.strip, args.object)], []
    for face in dict.fromkeys(f for _, f in pairs):
        check_face(face, args.preset, mode)
    for strip in dict.fromkeys(s for s, _ in pairs):
        check_strip(scene, strip)
    rig = None
    if args.armature:
        from .bone_takes import check_rig

        rig = RigTargets(args.armature, args.head_bone or "", args.left_eye_bone or "",
                         args.right_eye_bone or "")  # fmt: skip
        check_rig(rig)
    if args.head_object:
        from .object_takes import check_head_object

        check_head_object(args.head_object)
    settings = BakeSettings(
        product=args.product,
        mode=mode,
        preset=args.preset,
        model_path=args.model,
        rig=rig,
        head_object=args.head_object or "",
    )
    load_model(args.model)  # a bad checkpoint is refused now, before any bake
    return Job(pairs=tuple(pairs), skipped=tuple(skipped), batch=args.all, settings=settings,
               **common)  # fmt: skip


def _mapped(obj, preset: str) -> bool:
    return obj.type == "MESH" and map_names(shape_key_names(obj), preset).matched_count > 0


def check_face(name: str, preset: str, mode: str) -> None:
    """The face can take a take: a mesh, shape keys mapped by ``preset``, editable."""
    obj = bpy.data.objects.get(name)
    if obj is None:
        raise UsageError(f"--object: no object named '{name}'")
    if obj.type != "MESH":
        raise UsageError(f"face '{name}' is a {obj.type.lower()}, not a mesh")
    names = shape_key_names(obj)
    if not names:
        raise UsageError(f"face '{name}' has no shape keys")
    mapping = map_names(names, preset)
    if mapping.matched_count == 0:
        raise UsageError(
            f"face '{name}': none of its {len(names)} shape keys match an ARKit name "
            f"(preset {mapping.preset})"
        )
    key = obj.data.shape_keys
    if not key.is_editable:
        raise UsageError(f"face '{name}': its shape keys are linked and cannot be keyed")
    ad = key.animation_data
    if mode == "ACTION" and ad is not None and ad.action is not None and not is_take(ad.action):
        raise UsageError(
            f"--mode action: the shape keys of '{name}' already use action '{ad.action.name}'"
        )


def check_strip(scene, name: str) -> None:
    """The strip has a sound that can be found (gather warns of a muted strip)."""
    strip = next(s for s in sound_strips(scene) if s.name == name)
    sound = strip.sound
    if sound is None:
        raise UsageError(f"sound strip '{name}' has no sound")
    if sound.packed_file is None:
        path = os.path.normpath(bpy.path.abspath(sound.filepath, library=sound.library))
        if not os.path.isfile(path):
            raise UsageError(f"sound strip '{name}': its sound file {path} does not exist")


def run(job: Job) -> int:
    """Bake or import, then write; returns the exit status."""
    scene = bpy.data.scenes[job.scene]
    done, failed = [], []
    for strip, face in job.pairs:
        try:
            action, request = bake(scene, strip, face, job.settings)
        except _WORK_ERRORS as exc:
            if not job.batch:
                error(exc)
                return EXIT_USAGE if isinstance(exc, AudioError) else EXIT_FAILED
            failed.append((strip, face, _one_line(exc)))
            continue
        for text in request.warnings:
            warn(text)
        done.append((strip, face, action.name))
        print(f"baked '{strip}' onto '{face}' as '{action.name}' "
              f"({len(request.targets)} keys, preset {request.preset})")  # fmt: skip
    if job.csv is not None:
        try:
            action = _import_csv(scene, job)
        except _WORK_ERRORS as exc:
            error(exc)
            return EXIT_FAILED
        done.append((os.path.basename(job.csv.path), job.face, action.name))
    if job.batch:
        summary(done, job.skipped, failed)
    if not done:
        error(f"every strip failed ({failed[0][0]}: {failed[0][2]}); nothing saved")
        return EXIT_FAILED
    try:
        write_outputs(scene, job, sorted({face for _, face, _ in done}))
    except _WORK_ERRORS as exc:
        error(exc)
        return EXIT_FAILED
    if failed:
        strip, face, text = failed[0]
        error(f"{len(failed)} of {len(job.pairs)} bakes failed (first: '{strip}' onto '{face}': "
              f"{text}); the others were saved")  # fmt: skip
        return EXIT_FAILED
    return EXIT_OK


def _import_csv(scene, job: Job):
    from .import_csv import import_csv_take

    head = None
    if job.head is not None:
        head = (bpy.data.objects[job.head[0]], job.head[1])
    action, warnings = import_csv_take(
        scene, bpy.data.objects[job.face], job.csv, job.frame,
        preset=job.preset, mode=job.mode, head=head,
    )  # fmt: skip
    for text in warnings:
        warn(text)
    print(f"imported '{job.csv.path}' onto '{job.face}' at frame {job.frame} as '{action.name}' "
          f"({len(job.csv.times)} rows, {job.csv.duration:.2f} s)")  # fmt: skip
    return action


def write_outputs(scene, job: Job, faces: list[str]) -> None:
    """Save the .blend, then export the .glb (each whole or not at all)."""
    from .safe_save import save_blend

    if job.blend_target is not None:
        save_blend(job.blend_target)
        print(f"saved {job.blend_target}")
    if job.gltf_target is not None:
        from .gltf_export import export_glb

        doc = export_glb(scene, [bpy.data.objects[f] for f in faces], job.gltf_target)
        morphs = sum(len(m.get("extras", {}).get("targetNames", ())) for m in doc["meshes"])
        print(f"exported {job.gltf_target} ({len(faces)} face(s), {morphs} morph targets)")


def summary(done, skipped, failed) -> None:
    """Per-strip lines on stdout: baked, skipped (with why), failed (with the error)."""
    strips = {s for s, *_ in (*done, *failed)} | {s for s, _ in skipped}
    print(f"summary: {len(strips)} strips: {len(done)} baked, {len(skipped)} skipped, "
          f"{len(failed)} failed")  # fmt: skip
    for strip, face, action in done:
        print(f"  baked    '{strip}' -> '{face}' as '{action}'")
    for strip, reason in skipped:
        print(f"  skipped  '{strip}': {reason}")
    for strip, face, text in failed:
        print(f"  failed   '{strip}' -> '{face}': {text}")


def _one_line(exc) -> str:
    return " ".join(str(exc).split())
