"""Writing a take's curves onto a Key datablock, fast and without touching anything else.

One take = one action (strip + object), with one F-Curve per driven shape key, built in bulk
(``keyframe_points.add`` + ``foreach_set``: 51 keys x 10 min in well under a second, where
``keyframe_insert`` takes half a minute). Works with legacy actions (Blender 4.2-4.3) and layered
actions with slots and channelbags (4.4+, the only kind in 5.x).

Non-destructive rules:
- a take is found again by its ``TAKE_PROP`` custom property and replaced, never stacked;
- only the take's own action, NLA strip and track change; other channels, objects, user
  actions and other takes are left alone;
- each curve rests at 0 one frame before and after the take, and the takes' track holds those
  zeros (``HOLD`` on its first strip, ``HOLD_FORWARD`` after), because Blender 5.0 evaluates an
  animated shape key outside every strip at its new default of 1.0.
"""

from __future__ import annotations

import bpy
import numpy as np

from .ids import TAKE_PROP, TRACK_NAME


class KeyingError(Exception):
    """The take cannot be written without touching the user's own animation."""


def layered_actions() -> bool:
    """True on Blender 4.4+, where actions have slots and layers."""
    return "slots" in bpy.types.Action.bl_rna.properties


_LINEAR = None


def _linear() -> int:
    global _LINEAR
    if _LINEAR is None:
        items = bpy.types.Keyframe.bl_rna.properties["interpolation"].enum_items
        _LINEAR = items["LINEAR"].value
    return _LINEAR


def shape_key_path(name: str) -> str:
    return f'key_blocks["{bpy.utils.escape_identifier(name)}"].value'


def find_take(take_id: str):
    """The action holding take ``take_id``, or None."""
    for action in bpy.data.actions:
        if action.get(TAKE_PROP) == take_id:
            return action
    return None


def is_take(action) -> bool:
    return action is not None and TAKE_PROP in action


def write_take(
    key,
    take_id: str,
    action_name: str,
    first_frame: int,
    curves: dict[str, np.ndarray],
    *,
    mode: str = "NLA",
):
    """Write (or replace) one take on ``key`` and place it as an NLA strip or the active action.

    Parameters
    ----------
    key : bpy.types.Key
        The mesh's shape-key datablock.
    take_id : str
        Identity of the take (strip and object); a take with the same id is replaced.
    action_name : str
        Name for the action.
    first_frame : int
        Scene frame of row 0.
    curves : dict
        Shape-key name -> (count,) values for frames ``first_frame ...``; all the same length.
    mode : {"NLA", "ACTION"}
        Where the take goes.

    Returns
    -------
    bpy.types.Action
    """
    if mode not in ("NLA", "ACTION"):
        raise ValueError(f"mode must be NLA or ACTION, got {mode!r}")
    ad = key.animation_data
    if mode == "ACTION" and ad is not None and ad.action is not None:
        if ad.action.get(TAKE_PROP) != take_id:
            raise KeyingError(
                f"the shape keys of {key.user.name if key.user else key.name} already use action "
                f"'{ad.action.name}'; choose NLA output or unassign it"
            )
    action = find_take(take_id)
    if action is not None:
        _detach(key, action)
        _clear(action)
    else:
        action = bpy.data.actions.new(action_name)
        action[TAKE_PROP] = take_id
    if action.name != action_name:
        action.name = action_name
    slot = _fill(action, key, first_frame, curves)
    ad = key.animation_data or key.animation_data_create()
    if mode == "ACTION":
        ad.action = action
        if slot is not None:
            ad.action_slot = slot
    else:
        _place_strip(ad, action, slot, first_frame - 1)
    return action


def take_fcurves(action) -> list:
    """Every F-Curve of a take's action, legacy or layered."""
    if not layered_actions():
        return list(action.fcurves)
    return [
        fc
        for layer in action.layers
        for strip in layer.strips
        for bag in strip.channelbags
        for fc in bag.fcurves
    ]


def remove_take(key, take_id: str) -> bool:
    """Delete a take: its strip, track when emptied, active assignment and action."""
    action = find_take(take_id)
    if action is None:
        return False
    _detach(key, action)
    bpy.data.actions.remove(action)
    return True


def _detach(key, action) -> None:
    ad = key.animation_data
    if ad is None:
        return
    if ad.action == action:
        ad.action = None
    for track in list(ad.nla_tracks):
        for strip in list(track.strips):
            if strip.action == action:
                track.strips.remove(strip)
        if _ours(track) and len(track.strips) == 0:
            ad.nla_tracks.remove(track)
    _fix_extrapolation(ad)


def _clear(action) -> None:
    if layered_actions():
        for layer in list(action.layers):
            action.layers.remove(layer)
        for slot in list(action.slots):
            action.slots.remove(slot)
    else:  # legacy actions (4.2-4.3)
        action.fcurves.clear()


def _fill(action, key, first_frame: int, curves: dict[str, np.ndarray]):
    slot = None
    if layered_actions():
        slot = action.slots.new(id_type="KEY", name=key.name)
        strip = action.layers.new("Layer").strips.new(type="KEYFRAME")
        fcurves = strip.channelbag(slot, ensure=True).fcurves
    else:
        action.id_root = "KEY"
        fcurves = action.fcurves
    for name, values in curves.items():
        values = np.asarray(values, dtype=np.float32)
        count = len(values) + 2
        co = np.empty(2 * count, dtype=np.float32)
        co[0::2] = np.arange(first_frame - 1, first_frame + count - 1, dtype=np.float32)
        co[1::2] = np.concatenate(([0.0], values, [0.0]))
        fc = fcurves.new(shape_key_path(name))
        fc.keyframe_points.add(count)
        fc.keyframe_points.foreach_set("co", co)
        fc.keyframe_points.foreach_set("interpolation", np.full(count, _linear(), dtype=np.int32))
        fc.update()
    return slot


def _ours(track) -> bool:
    return track.name == TRACK_NAME or track.name.startswith(TRACK_NAME + ".")


def _place_strip(ad, action, slot, start: int) -> None:
    strip = None
    tracks = [t for t in ad.nla_tracks if _ours(t)]
    for track in tracks:
        try:
            strip = track.strips.new(action.name, int(start), action)
            break
        except RuntimeError:  # overlaps another take on this track: try the next one up
            continue
    if strip is None:
        track = ad.nla_tracks.new()
        track.name = TRACK_NAME if not tracks else f"{TRACK_NAME}.{len(tracks):03d}"
        strip = track.strips.new(action.name, int(start), action)
    if slot is not None:
        strip.action_slot = slot
    strip.blend_type = "REPLACE"
    _fix_extrapolation(ad)


def _fix_extrapolation(ad) -> None:
    """Lowest take track holds its zeros everywhere; tracks above only cover their own strips."""
    tracks = [t for t in ad.nla_tracks if _ours(t)]
    for index, track in enumerate(tracks):
        strips = sorted(track.strips, key=lambda s: s.frame_start)
        # Last to first, so that only the first strip is ever set to HOLD.
        for position, strip in reversed(list(enumerate(strips))):
            if index > 0:
                strip.extrapolation = "NOTHING"
            else:
                strip.extrapolation = "HOLD" if position == 0 else "HOLD_FORWARD"
