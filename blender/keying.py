"""Writing a take onto a face's Key without touching anything else.

One take = one action (one F-Curve per keyed shape key) on the Key's NLA as a strip with
extrapolation NOTHING, above the base that :mod:`.layers` keeps (so fading the take blends toward
what lies beneath, and outside its frames it changes nothing), or as the Key's active action.

Non-destructive rules:
- a take is found again on its Key by its ``TAKE_PROP`` identity and replaced, never stacked; its
  strip keeps the track, influence, blend type, blend in/out and muting the user gave it;
- only the take's own action and strip, our tracks and the base change; other channels, objects,
  user actions and tracks, and other takes are left alone.
"""

from __future__ import annotations

from typing import NamedTuple

import bpy
import numpy as np

from ..core.errors import KeyingError
from ..ids import FRAMES_PROP, TAKE_PROP
from .actions import assign, clear_action, fcurves_of, shape_key_path, write_curves
from .layers import (
    is_base_track,
    is_take,
    is_take_track,
    place_take,
    read_settings,
    update_base,
)


def take_fcurves(action) -> list:
    """Every F-Curve of a take's action, legacy or layered."""
    return fcurves_of(action)


class FoundTake(NamedTuple):
    """Where :func:`find_take` found a take: all None when nowhere."""

    track: bpy.types.NlaTrack | None  # None (and strip None) for the active action
    strip: bpy.types.NlaStrip | None
    action: bpy.types.Action | None


_NOWHERE = FoundTake(None, None, None)


def find_take(key, take_id: str) -> FoundTake:
    """(track, strip, action) of take ``take_id`` on ``key``; track and strip are None for the
    active action; (None, None, None) when the Key has no such take."""
    ad = key.animation_data
    if ad is None:
        return _NOWHERE
    for track in ad.nla_tracks:
        for strip in track.strips:
            if strip.action is not None and strip.action.get(TAKE_PROP) == take_id:
                return FoundTake(track, strip, strip.action)
    if ad.action is not None and ad.action.get(TAKE_PROP) == take_id:
        return FoundTake(None, None, ad.action)
    return _NOWHERE


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
        The mesh's shape-key datablock (editable: see :func:`.takes.editable_key`).
    take_id : str
        Identity of the take; a take with the same id on ``key`` is replaced.
    action_name : str
        Name for the action (at most 63 bytes: :func:`.takes.fit_name`).
    first_frame : int
        Scene frame of row 0.
    curves : dict
        Shape-key name -> (count,) values for frames ``first_frame ...``; all the same length.
        Only these channels are keyed.
    mode : {"NLA", "ACTION"}
        Where the take goes.

    Returns
    -------
    bpy.types.Action
    """
    paths = {shape_key_path(name): values for name, values in curves.items()}
    return write_channels(key, take_id, action_name, first_frame, paths, mode=mode)


def write_channels(owner, take_id, action_name, first_frame, channels, *, mode="NLA"):
    """:func:`write_take` for any channels: on a Key (data channels) or an Object (bone channels).

    Parameters
    ----------
    owner : bpy.types.Key or bpy.types.Object
        Whose animation data holds the take. An Object's take (bone rotations) goes on its NLA
        only, without a base: outside the take its bones show what lies beneath, or rest.
    channels : dict
        Data path, or (data path, array index), -> (count,) values; all the same length.
    """
    if mode not in ("NLA", "ACTION"):
        raise ValueError(f"mode must be NLA or ACTION, got {mode!r}")
    is_key = isinstance(owner, bpy.types.Key)
    if not is_key and mode != "NLA":
        raise ValueError("an object's take goes on its NLA only")
    ad = owner.animation_data
    if mode == "ACTION" and ad is not None and ad.action is not None:
        if ad.action.get(TAKE_PROP) != take_id:
            raise KeyingError(
                f"the shape keys of {owner.user.name if owner.user else owner.name} already use "
                f"action '{ad.action.name}'; choose NLA output or unassign it"
            )
    track, strip, action = find_take(owner, take_id)
    settings = read_settings(strip) if strip is not None else None
    if mode == "ACTION":
        rest = _rest_values(owner, action, channels)
    _detach(owner, action, keep=track)
    if action is not None and action.users > int(action.use_fake_user):
        action = None  # shared with another face: leave that one's copy alone
    if action is None:
        action = bpy.data.actions.new(action_name)
        action[TAKE_PROP] = take_id
    clear_action(action)
    if action.name != action_name:
        action.name = action_name
    count = len(next(iter(channels.values()), ()))
    action[FRAMES_PROP] = (int(first_frame), int(first_frame) + max(count, 1) - 1)
    ad = owner.animation_data or owner.animation_data_create()
    under = [t for t in ad.nla_tracks if t != track and not is_base_track(t)]
    id_type = "KEY" if is_key else "OBJECT"
    if mode == "ACTION":
        if under:  # NLA is evaluated: extrapolation NOTHING and the base do the work
            slot = write_curves(action, owner, first_frame, channels)
        else:
            # Rest values one frame before and after: alone, an active action holds its end keys
            # forever, and this way that is the face as it was.
            padded = {p: np.concatenate(([rest[p]], v, [rest[p]])) for p, v in channels.items()}
            slot = write_curves(action, owner, first_frame - 1, padded)
        assign(ad, action, slot)
    else:
        slot = write_curves(action, owner, first_frame, channels, id_type=id_type)
        place_take(ad, action, slot, first_frame, settings, prefer=track)
    if track is not None and len(track.strips) == 0:  # it went elsewhere: drop the empty track
        ad.nla_tracks.remove(track)
    if mode == "ACTION" and under:  # the user's tracks show through outside the take
        ad.action_extrapolation = "NOTHING"
    if is_key:
        update_base(owner)
    return action


def _rest_values(key, old_action, paths) -> dict[str, float]:
    """Each channel's value without the take: the old take's rest key, else the slider now."""
    old = {fc.data_path: fc.keyframe_points[0].co[1] for fc in fcurves_of(old_action)}
    return {p: float(old[p]) if p in old else float(key.path_resolve(p)) for p in paths}


def remove_take(key, take_id: str) -> bool:
    """Delete a take: its strip, its track when emptied, its active assignment and action.

    ``key`` may also be an Object holding a bone take (see :func:`write_channels`)."""
    action = find_take(key, take_id).action
    if action is None:
        return False
    _detach(key, action)
    if action.users == 0:
        bpy.data.actions.remove(action)
    if isinstance(key, bpy.types.Key):
        update_base(key)
    return True


def _detach(key, action, keep=None) -> None:
    """Unassign ``action`` from the Key; take tracks it empties go, except ``keep``."""
    ad = key.animation_data
    if ad is None or action is None:
        return
    if ad.action == action:
        ad.action = None
    for track in list(ad.nla_tracks):
        was_ours = is_take_track(track)
        for strip in list(track.strips):
            if strip.action == action:
                track.strips.remove(strip)
        if was_ours and len(track.strips) == 0 and track != keep:
            ad.nla_tracks.remove(track)


__all__ = [
    "KeyingError",
    "find_take",
    "is_take",
    "remove_take",
    "take_fcurves",
    "write_channels",
    "write_take",
]
