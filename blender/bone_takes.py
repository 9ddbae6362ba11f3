"""Head and eye rotation as a take on an armature's bones (from a bake or a Live Link CSV).

Yaw, pitch and roll (radians) go onto a bone as X (pitch), Y (yaw) and Z (roll) of its local
rotation: Y runs along a bone, so for an upright head or neck bone yaw turns about it. A bone that
rotates by quaternion gets the same rotation as a quaternion. The take is one action on the
armature, placed on its NLA like a face's take (:func:`.keying.write_channels`) under the same
identity as the shape-key take, so a re-bake or re-import replaces it.
"""

from __future__ import annotations

import bpy
import numpy as np

from ..core.errors import BakeError
from .keying import write_channels

#: Rotation property of a pose bone per rotation mode (Euler for every other mode).
_ROTATION = {"QUATERNION": "rotation_quaternion", "AXIS_ANGLE": "rotation_axis_angle"}


def rotation_channels(target) -> list[tuple[str, int]]:
    """(data path, index) of each component of a pose bone's rotation (relative to its armature)
    or an object's rotation (relative to itself)."""
    name = _ROTATION.get(target.rotation_mode, "rotation_euler")
    path = name
    if isinstance(target, bpy.types.PoseBone):
        path = f'pose.bones["{bpy.utils.escape_identifier(target.name)}"].{name}'
    return [(path, i) for i in range(len(getattr(target, name)))]


def check_bone(armature_name: str, bone_name: str, role: str = "head"):
    """The armature object, after checking that ``bone_name`` can take rotation keys.

    Raises
    ------
    BakeError
        No such armature or bone, an axis-angle bone, or a linked armature.
    """
    arm = bpy.data.objects.get(armature_name) if armature_name else None
    if arm is None or arm.type != "ARMATURE":
        raise BakeError(f"{role} bone: no armature object named '{armature_name}'")
    bone = arm.pose.bones.get(bone_name)
    if bone is None:
        raise BakeError(f"{role} bone: armature '{armature_name}' has no bone named '{bone_name}'")
    if bone.rotation_mode == "AXIS_ANGLE":
        raise BakeError(f"{role} bone '{bone_name}' rotates by axis-angle; set Euler or Quaternion")
    if arm.library is not None or not arm.is_editable:
        raise BakeError(f"armature '{armature_name}' is linked and cannot be keyed")
    return arm


def rest_quaternion(target):
    """The rotation ``target`` (pose bone or object) has now, as a quaternion, in any mode."""
    from mathutils import Euler, Quaternion

    mode = target.rotation_mode
    if mode == "QUATERNION":
        return Quaternion(target.rotation_quaternion).normalized()
    if mode == "AXIS_ANGLE":
        angle, *axis = target.rotation_axis_angle
        return Quaternion(axis, angle)
    return Euler(target.rotation_euler, mode).to_quaternion()


def rotation_curves(target, ypr: np.ndarray, rest=None) -> dict:
    """(data path, index) -> values of ``target``'s rotation for (frames, 3) yaw, pitch, roll.

    Parameters
    ----------
    target : bpy.types.PoseBone or bpy.types.Object
        Its ``rotation_mode`` picks the property and the form (any Euler order, quaternion or
        axis-angle) of the same rotation.
    ypr : (frames, 3) ndarray
        Yaw, pitch, roll in radians: X (pitch), Y (yaw), Z (roll) of an XYZ Euler.
    rest : mathutils.Quaternion, optional
        Rotation the motion is composed onto (``rest @ motion``: the motion in the target's own
        axes); None for none (a bone's rest pose is the identity).
    """
    from mathutils import Euler

    xyz = np.asarray(ypr, dtype=np.float64)[:, [1, 0, 2]]
    mode = target.rotation_mode
    channels = rotation_channels(target)
    if mode == "XYZ" and rest is None:
        return {channel: xyz[:, i] for i, channel in enumerate(channels)}
    quats = [Euler(row, "XYZ").to_quaternion() for row in xyz.tolist()]
    if rest is not None:
        quats = [rest @ q for q in quats]
    if mode == "QUATERNION":
        values = [tuple(q) for q in quats]
    elif mode == "AXIS_ANGLE":
        values = [(angle, *axis) for axis, angle in (q.to_axis_angle() for q in quats)]
    else:  # the same rotation in the target's Euler order, kept near the last (no 360 jumps)
        last = Euler(target.rotation_euler, mode) if rest is not None else None
        values = []
        for q in quats:
            last = q.to_euler(mode, last) if last is not None else q.to_euler(mode)
            values.append(tuple(last))
    values = np.array(values)
    return {channel: values[:, i] for i, channel in enumerate(channels)}


def write_bone_take(arm, take_id: str, action_name: str, first_frame: int, rotations: dict):
    """Key ``rotations`` (bone name -> (frames, 3) yaw, pitch, roll) as one take on ``arm``.

    Returns
    -------
    bpy.types.Action
    """
    curves = {}
    for bone_name, ypr in rotations.items():
        curves.update(rotation_curves(arm.pose.bones[bone_name], ypr))
    return write_channels(arm, take_id, action_name, first_frame, curves)


#: Columns of a bake's (count, 9) motion array (result.values[:, 52:61]) per bone role.
MOTION_COLUMNS = {"head": slice(0, 3), "left eye": slice(3, 6), "right eye": slice(6, 9)}


def rig_bones(rig) -> dict:
    """Role -> bone name of a :class:`.bake.RigTargets`, for the roles given a bone."""
    named = {"head": rig.head_bone, "left eye": rig.left_eye_bone, "right eye": rig.right_eye_bone}
    return {role: bone for role, bone in named.items() if bone}


def check_rig(rig) -> None:
    """Raise BakeError unless every bone of ``rig`` can take rotation keys."""
    bones = rig_bones(rig)
    if not bones:
        raise BakeError(f"armature '{rig.armature}' is set but no head or eye bone is")
    for role, bone in bones.items():
        check_bone(rig.armature, bone, role)


def apply_rig(rig, take_id: str, strip_name: str, first_frame: int, motion):
    """Key a bake's head and eye rotations ((count, 9) yaw, pitch, roll) on ``rig``'s bones.

    The take has the face take's identity: a re-bake replaces it. Returns the action.
    """
    from .takes import fit_name

    check_rig(rig)
    arm = bpy.data.objects[rig.armature]
    rotations = {bone: motion[:, MOTION_COLUMNS[role]] for role, bone in rig_bones(rig).items()}
    return write_bone_take(arm, take_id, fit_name("LipSync", arm.name, strip_name), first_frame,
                           rotations)  # fmt: skip
