"""Live Link Face CSV onto a face: a take like a bake's, plus head rotation on a chosen bone.

The shape-key curves go through :func:`.keying.write_take` (the function the bake's
:func:`.bake.apply` uses), so a CSV take layers, replaces and is managed like a baked one. Its
identity is ``csv:<file name>`` + the object, so importing the same file again replaces it.

Head rotation (``HeadPitch``, ``HeadYaw``, ``HeadRoll``, radians) goes onto the head bone as X, Y
and Z of the bone's local rotation (Y runs along a bone, so yaw turns about it), in an NLA strip on
the armature's ``LipSync`` track, converted to a quaternion when the bone rotates by quaternion.
"""

from __future__ import annotations

import os

import bpy
from bpy.props import IntProperty, StringProperty

from ..core.livelink_csv import CSVTake, read_livelink_csv
from ..core.naming import map_names
from .bake import BakeError, shape_key_names
from .curves import build_action
from .ids import FRAME_RANGE, OT_IMPORT_CSV, SCENE_PROP, TAKE_PROP, TRACK_NAME
from .keying import find_take, write_take


def csv_take_id(path: str, object_name: str) -> str:
    return f"csv:{os.path.basename(path)}\x1f{object_name}"


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
    name = os.path.basename(take.path)
    take_id = csv_take_id(take.path, obj.name)
    action = write_take(
        obj.data.shape_keys, take_id, f"LipSync {name} - {obj.name}", frame, columns, mode=mode
    )
    action["lipsync_csv"] = take.path
    action["lipsync_object"] = obj.name
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
            write_head_take(
                head[0], head[1], take_id, f"LipSync {name} - {head[1]}", frame, rotations
            )
    return action, warnings


def check_head_bone(armature_name: str, bone_name: str):
    """The armature object and bone name, or BakeError saying what is wrong."""
    arm = bpy.data.objects.get(armature_name)
    if arm is None or arm.type != "ARMATURE":
        raise BakeError(f"no armature object named '{armature_name}'")
    bone = arm.pose.bones.get(bone_name)
    if bone is None:
        raise BakeError(f"armature '{armature_name}' has no bone named '{bone_name}'")
    if bone.rotation_mode == "AXIS_ANGLE":
        raise BakeError(f"bone '{bone_name}' rotates by axis-angle; set Euler or Quaternion")
    if arm.library is not None or not arm.is_editable:
        raise BakeError(f"armature '{armature_name}' is linked and cannot be keyed")
    return arm, bone_name


def write_head_take(arm, bone_name: str, take_id: str, name: str, first_frame: int, ypr):
    """Key (frames, 3) yaw, pitch, roll on the bone, replacing this take's earlier head strip."""
    from mathutils import Euler

    head_id = take_id + "\x1fhead"
    old = find_take(head_id)
    ad = arm.animation_data or arm.animation_data_create()
    if old is not None:
        for track in ad.nla_tracks:
            for strip in [s for s in track.strips if s.action == old]:
                track.strips.remove(strip)
        bpy.data.actions.remove(old)
    bone = arm.pose.bones[bone_name]
    base = f'pose.bones["{bpy.utils.escape_identifier(bone_name)}"]'
    pitch_yaw_roll = ypr[:, [1, 0, 2]]
    if bone.rotation_mode == "QUATERNION":
        quats = [Euler(row.tolist(), "XYZ").to_quaternion() for row in pitch_yaw_roll]
        channels = {(f"{base}.rotation_quaternion", i): [q[i] for q in quats] for i in range(4)}
    else:
        channels = {(f"{base}.rotation_euler", i): pitch_yaw_roll[:, i] for i in range(3)}
    action, slot = build_action(name, "OBJECT", arm.name, first_frame, channels)
    action[TAKE_PROP] = head_id
    track = next((t for t in ad.nla_tracks if t.name == TRACK_NAME), None)
    strip = None
    if track is not None:
        try:
            strip = track.strips.new(action.name, int(first_frame), action)
        except RuntimeError:  # overlaps another head take: a track of its own
            track = None
    if track is None:
        track = ad.nla_tracks.new()
        track.name = TRACK_NAME
        strip = track.strips.new(action.name, int(first_frame), action)
    if slot is not None:
        strip.action_slot = slot
    strip.extrapolation = "NOTHING"  # outside the take the bone keeps its own pose
    return action


class LIPSYNC_OT_import_csv(bpy.types.Operator):
    """Key a Live Link Face CSV recording onto the face as a take"""

    bl_idname = OT_IMPORT_CSV
    bl_label = "Import Live Link CSV"
    bl_options = {"REGISTER", "UNDO"}

    filepath: StringProperty(subtype="FILE_PATH", options={"SKIP_SAVE"})
    filter_glob: StringProperty(default="*.csv", options={"HIDDEN"})
    frame: IntProperty(
        name="Start Frame",
        description="Scene frame of the CSV's first row (default: the current frame)",
        min=FRAME_RANGE[0],
        max=FRAME_RANGE[1],
        options={"SKIP_SAVE"},
    )
    object: StringProperty(name="Object", description="Face mesh (default: the panel's)")
    armature: StringProperty(name="Armature", description="Armature of the head bone (optional)")
    head_bone: StringProperty(name="Head Bone", description="Bone that takes the head rotation")

    def invoke(self, context, event):
        self.frame = context.scene.frame_current
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        from ..core.errors import NeuroSyncError
        from .keying import KeyingError

        settings = getattr(context.scene, SCENE_PROP)
        frame = self.frame if self.properties.is_property_set("frame") else None
        try:
            obj = _face(self, context, settings)
            head = check_head_bone(self.armature, self.head_bone) if self.head_bone else None
            take = read_livelink_csv(bpy.path.abspath(self.filepath))
            action, warnings = import_csv_take(
                context.scene,
                obj,
                take,
                context.scene.frame_current if frame is None else frame,
                preset=settings.preset,
                mode=settings.output,
                head=head,
            )
        except (NeuroSyncError, BakeError, KeyingError) as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return {"CANCELLED"}
        for warning in warnings:
            self.report({"WARNING"}, warning)
        self.report({"INFO"}, f"Lip sync: wrote '{action.name}'")
        return {"FINISHED"}


def _face(op, context, settings):
    name = op.object or (settings.target.name if settings.target else "")
    obj = bpy.data.objects.get(name) if name else getattr(context, "active_object", None)
    if obj is None or obj.type != "MESH" or not shape_key_names(obj):
        raise BakeError("choose a face mesh with shape keys")
    return obj


classes = (LIPSYNC_OT_import_csv,)

register, unregister = bpy.utils.register_classes_factory(classes)
