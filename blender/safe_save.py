"""Saving the .blend so that a failed or interrupted save never replaces the user's file.

Blender's own save can report success for a file it could not write whole (a full disk during a
compressed save leaves a cut file and returns FINISHED), so the file is written to a temp file
beside the target, checked (structure, then reopened as a library) and only then renamed over
the target (:mod:`..core.atomic`, :mod:`..core.file_checks`).
"""

from __future__ import annotations

import bpy

from ..core.atomic import atomic_output
from ..core.errors import WriteError
from ..core.file_checks import check_blend_bytes


def write_blend(path: str) -> None:
    """Blender's save of the open file to ``path``, as a copy (the open file keeps its path)."""
    try:
        result = bpy.ops.wm.save_as_mainfile(filepath=path, copy=True, check_existing=False)
    except RuntimeError as exc:
        raise WriteError(f"Blender could not save: {str(exc).strip()}") from None
    if "FINISHED" not in result:
        raise WriteError(f"Blender did not save ({', '.join(result)})")


def check_blend(path: str) -> None:
    """Header and end block, then Blender reads the file back and finds its scenes."""
    check_blend_bytes(path)
    try:
        with bpy.data.libraries.load(path) as (data_from, _data_to):
            scenes = list(data_from.scenes)
    except OSError as exc:
        raise WriteError(f"{path}: Blender cannot read the saved file back ({exc})") from None
    if not scenes:
        raise WriteError(f"{path}: the saved file holds no scene")


def save_blend(target: str) -> None:
    """Write the open file to ``target`` (a validated real path) whole, or leave it as it was.

    Raises
    ------
    WriteError
    """
    with atomic_output(target, check_blend) as tmp:
        try:
            write_blend(tmp)
        except WriteError as exc:
            raise WriteError(f"{target}: {exc}; the previous file is kept") from None
