"""Live Link Face CSV onto a face: a take like a bake's, plus head rotation on a chosen bone.

The shape-key curves go through the takes machinery the bake's :func:`.bake.apply` uses
(:func:`.takes.editable_key`, :func:`.keying.write_take`, :func:`.takes.stamp_take`), so a CSV take
layers over the base, replaces and is managed like a baked one. Its identity
(:func:`csv_take_id`) comes from the file's resolved path and the object, so importing the same
file onto the same face again replaces it.

Head rotation (``HeadPitch``, ``HeadYaw``, ``HeadRoll``, radians) goes onto the head bone as a
take of the same identity on the armature (:mod:`.bone_takes`).
"""

from __future__ import annotations

import os
import uuid

from ..core.errors import BakeError
from ..core.livelink_csv import CSVTake
from ..core.naming import map_names
from .bake import shape_key_names
from .bone_takes import check_bone, write_bone_take
from .keying import write_take
from .takes import editable_key, fit_name, stamp_take, take_name

#: uuid5 namespace of CSV take ids (a baked take's id is its strip's uuid4).
_CSV_NAMESPACE = uuid.UUID("6f1c2a4e-8d3b-5e7f-9a0c-1b2d3e4f5a6b")


def csv_take_id(path: str, object_name: str) -> str:
    """A uuid hex, the same for the same file (by resolved path) onto the same object."""
    resolved = os.path.realpath(os.path.abspath(path))
    return uuid.uuid5(_CSV_NAMESPACE, f"{resolved}\x1f{object_name}").hex


def import_csv_take(scene, obj, take: CSVTake, frame: int, *, preset="auto", mode="NLA", head=None):
    """Key ``take`` on ``obj`` from scene frame ``frame`` at the scene's frame rate.

    Parameters
    ----------
    head : (armature object, bone name), optional
        Where the head rotation columns go; ignored when the CSV has none.

    Returns
    -------
    (bpy.types.Action, list of str)
        The shape-key take and warnings for the report.
    """
    fps = scene.render.fps / scene.render.fps_base
    curves = take.channel_curves(fps)
    mapping = map_names(shape_key_names(obj), preset)
    columns = {}
    for channel, keys in enumerate(mapping.targets):
        for key_name in keys:
            if channel in curves and key_name not in columns:
                columns[key_name] = curves[channel]
    if not columns:
        raise BakeError(f"no column of {take.path} lands on a shape key of '{obj.name}'")
    key = editable_key(obj)
    name = os.path.basename(take.path)
    take_id = csv_take_id(take.path, obj.name)
    action = write_take(key, take_id, take_name(name, obj.name), frame, columns, mode=mode)
    stamp_take(action, name, obj.name, None)
    action["lipsync_csv"] = take.path
    warnings = []
    missing = [c for c in mapping.matched if c not in take.mapping().matched]
    if missing:
        warnings.append(
            f"{name}: no column for {len(missing)} mapped channels ({', '.join(missing)})"
        )
    if head is not None:
        rotations = take.head(fps)
        if rotations is None:
            warnings.append(f"{name}: no HeadYaw/HeadPitch/HeadRoll columns; head bone not keyed")
        else:
            arm, bone = head
            action_name = fit_name("LipSync", bone, name)
            write_bone_take(arm, take_id, action_name, frame, {bone: rotations})
    return action, warnings


def check_head_bone(armature_name: str, bone_name: str):
    """The armature object and bone name, or BakeError saying what is wrong."""
    return check_bone(armature_name, bone_name), bone_name
