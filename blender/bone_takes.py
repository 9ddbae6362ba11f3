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


def rotation_channels(pose_bone) -> list[tuple[str, int]]:
    """(data path, index) of each component of the bone's rotation, relative to its armature."""
    name = _ROTATION.get(pose_bone.rotation_mode, "rotation_euler")
    path = f'pose.bones["{bpy.utils.escape_identifier(pose_bone.name)}"].{name}'
    return [(path, i) for i in range(len(getattr(pose_bone, name)))]


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


def bone_curves(pose_bone, ypr: np.ndarray) -> dict:
    """(data path, index) -> values of the bone's rotation for (frames, 3) yaw, pitch, roll."""
    from mathutils import Euler

    xyz = np.asarray(ypr, dtype=np.float64)[:, [1, 0, 2]]
    mode = pose_bone.rotation_mode
    if mode == "QUATERNION":
        values = np.array([tuple(Euler(row, "XYZ").to_quaternion()) for row in xyz.tolist()])
    elif mode == "XYZ":
        values = xyz
    elif mode in ("XZY", "YXZ", "YZX", "ZXY", "ZYX"):  # the same rotation in the bone's order
        values = np.array([tuple(Euler(row, "XYZ").to_matrix().to_euler(mode)) for row in xyz])
    else:
        raise BakeError(f"bone '{pose_bone.name}' rotates by axis-angle; set Euler or Quaternion")
    channels = rotation_channels(pose_bone)
    return {channel: values[:, i] for i, channel in enumerate(channels)}


def write_bone_take(arm, take_id: str, action_name: str, first_frame: int, rotations: dict):
    """Key ``rotations`` (bone name -> (frames, 3) yaw, pitch, roll) as one take on ``arm``.

    Returns
    -------
    bpy.types.Action
    """
    curves = {}
    for bone_name, ypr in rotations.items():
        curves.update(bone_curves(arm.pose.bones[bone_name], ypr))
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
