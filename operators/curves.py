"""Building a plain action from sampled values in bulk (export merge, head-bone takes).

Takes on shape keys go through :func:`.keying.write_take`; this is for the other actions the
extension makes: one per owner (a Key or an Object), any data paths, one value per frame.
"""

from __future__ import annotations

import bpy
import numpy as np

from .keying import layered_actions


def _linear() -> int:
    return bpy.types.Keyframe.bl_rna.properties["interpolation"].enum_items["LINEAR"].value


def build_action(name: str, id_type: str, slot_name: str, first_frame: int, channels: dict):
    """A new action holding one linear F-Curve per channel.

    Parameters
    ----------
    name : str
        Action name (Blender adds a suffix when taken).
    id_type : {"KEY", "OBJECT"}
        What the action animates.
    slot_name : str
        Name of its slot (the owner's name) on Blender 4.4+.
    first_frame : int
        Frame of row 0.
    channels : dict
        ``(data_path, array_index)`` -> (count,) values for frames ``first_frame ...``.

    Returns
    -------
    (bpy.types.Action, slot or None)
    """
    action = bpy.data.actions.new(name)
    slot = None
    if layered_actions():
        slot = action.slots.new(id_type=id_type, name=slot_name)
        strip = action.layers.new("Layer").strips.new(type="KEYFRAME")
        fcurves = strip.channelbag(slot, ensure=True).fcurves
    else:
        action.id_root = id_type
        fcurves = action.fcurves
    for (path, index), values in channels.items():
        values = np.asarray(values, dtype=np.float32)
        co = np.empty(2 * len(values), dtype=np.float32)
        co[0::2] = np.arange(first_frame, first_frame + len(values), dtype=np.float32)
        co[1::2] = values
        fc = fcurves.new(path, index=index)
        fc.keyframe_points.add(len(values))
        fc.keyframe_points.foreach_set("co", co)
        fc.keyframe_points.foreach_set(
            "interpolation", np.full(len(values), _linear(), dtype=np.int32)
        )
        fc.update()
    return action, slot


def assign(ad, action, slot) -> None:
    """Make ``action`` (and its slot on 4.4+) the active one of ``ad``."""
    ad.action = action
    if slot is not None:
        ad.action_slot = slot
