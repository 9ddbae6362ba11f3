"""The take manager: the chosen face's takes with select, mute, re-bake and remove, the warning
when the active action hides the takes, and Bake for Export."""

from __future__ import annotations

from ..blender.actions import shape_key_path
from ..blender.layers import conflicts, take_paths
from ..blender.takes import list_takes
from ..ids import (
    OT_BAKE_EXPORT,
    OT_PUSH_DOWN,
    OT_TAKE_MUTE,
    OT_TAKE_REBAKE,
    OT_TAKE_REMOVE,
    OT_TAKE_SELECT,
)


def draw_hidden_warning(layout, face, names) -> None:
    """Warn, with the Push Down button, when the active action keys channels the takes key
    (``names``: shape keys a bake would key; None: the existing takes' channels)."""
    key = face.data.shape_keys
    if key is None or key.animation_data is None:
        return
    if names is None:
        paths = take_paths(key.animation_data)
    else:
        paths = {shape_key_path(n) for n in names}
    hidden = conflicts(key, paths)
    if hidden:
        box = layout.box()
        box.label(text=f"Active action '{key.animation_data.action.name}' hides", icon="ERROR")
        box.label(text=f"{len(hidden)} lip-sync channels: push it down")
        box.operator(OT_PUSH_DOWN, icon="NLA_PUSHDOWN").object = face.name


def draw_takes(layout, context, face) -> None:
    key = face.data.shape_keys if face is not None else None
    takes = list_takes(key)
    if not takes:
        layout.label(text="No takes on this face yet" if face else "Choose a face mesh")
        return
    draw_hidden_warning(layout, face, None)
    col = layout.column(align=True)
    for take in takes:
        box = col.box()
        row = box.row(align=True)
        row.label(text=take.strip_name or take.action_name, icon="SOUND")
        for op_id, icon in (
            (OT_TAKE_SELECT, "RESTRICT_SELECT_OFF"),
            (OT_TAKE_MUTE, "HIDE_ON" if take.muted else "HIDE_OFF"),
            (OT_TAKE_REBAKE, "FILE_REFRESH"),
            (OT_TAKE_REMOVE, "X"),
        ):
            op = row.operator(op_id, text="", icon=icon)
            op.object, op.take = face.name, take.take_id
        where = f"track {take.track_name}" if take.track_name else "active action"
        box.label(text=f"Frames {take.first_frame}-{take.last_frame}, {where}")
        box.label(text=f"{take.model}, {take.date}")
    layout.operator(OT_BAKE_EXPORT, icon="EXPORT").object = face.name
