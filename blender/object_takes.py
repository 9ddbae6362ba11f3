"""Head rotation from a bake as a take on a chosen object (an empty above the head, or the face).

The object's own rotation when it first gets a take is its rest: the head motion is composed onto
it (:func:`.bone_takes.rotation_curves`), in whatever rotation mode the object uses, and stored on
the take's action so a re-bake starts from the same rest, not from a frame of the old take. The
take is one action on the object's NLA under the face take's identity
(:func:`.keying.write_channels`), so a re-bake replaces it and removing the take removes it.

Outside a strip the NLA sets an animated property to its default (a rotation of 0, blender-notes
0b), so the take carries the rest one frame before and after its frames and holds them.
"""

from __future__ import annotations

import bpy
import numpy as np

from ..core.errors import BakeError
from ..ids import REST_PROP, TAKE_PROP
from .bone_takes import rest_quaternion, rotation_curves
from .keying import find_take, write_channels


def check_head_object(name: str):
    """The object named ``name``, after checking that it can take rotation keys.

    Raises
    ------
    BakeError
        No such object, or a linked (not editable) one.
    """
    obj = bpy.data.objects.get(name) if name else None
    if obj is None:
        raise BakeError(f"head object: no object named '{name}'")
    if obj.library is not None or not obj.is_editable:
        raise BakeError(f"head object '{name}' is linked and cannot be keyed")
    return obj


def object_rest(obj, take_id: str):
    """The rest rotation (Quaternion) of ``obj``: the one stored with a take of ours on it (this
    take's first), else its rotation now."""
    from mathutils import Quaternion

    own = find_take(obj, take_id).action
    ad = obj.animation_data
    others = [s.action for t in ad.nla_tracks for s in t.strips] if ad is not None else []
    for action in [own, *others]:
        if action is not None and TAKE_PROP in action and REST_PROP in action:
            return Quaternion(tuple(action[REST_PROP]))
    return rest_quaternion(obj)


def apply_head_object(name: str, take_id: str, strip_name: str, first_frame: int, ypr):
    """Key (count, 3) yaw, pitch, roll (radians) onto object ``name`` as take ``take_id``.

    Returns
    -------
    bpy.types.Action
    """
    from .takes import fit_name

    obj = check_head_object(name)
    rest = object_rest(obj, take_id)
    ypr = np.asarray(ypr, dtype=np.float64)
    still = np.zeros((1, 3))
    padded = np.concatenate([still, ypr, still])  # the rest one frame before and after
    curves = rotation_curves(obj, padded, rest)
    action = write_channels(obj, take_id, fit_name("LipSync", obj.name, strip_name),
                            first_frame - 1, curves)  # fmt: skip
    action[REST_PROP] = tuple(rest)
    track, strip, _ = find_take(obj, take_id)
    if strip is not None and strip.extrapolation == "NOTHING":  # new: hold the rest outside
        strip.extrapolation = "HOLD" if track.strips[0] == strip else "HOLD_FORWARD"
    return action
