"""LIPSYNC_OT_import_csv: key a Live Link Face CSV onto the face (:mod:`..blender.import_csv`)."""

from __future__ import annotations

import bpy
from bpy.props import IntProperty, StringProperty

from ..blender.import_csv import check_head_bone, import_csv_take
from ..blender.limits import FRAME_RANGE
from ..blender.settings import face_named
from ..core.errors import REPORTED, BakeError
from ..core.livelink_csv import read_livelink_csv
from ..ids import OT_IMPORT_CSV, SCENE_PROP


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
        settings = getattr(context.scene, SCENE_PROP)
        frame = self.frame if self.properties.is_property_set("frame") else None
        try:
            obj = face_named(context, self.object)
            if obj is None:
                raise BakeError("choose a face mesh with shape keys")
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
        except REPORTED as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return {"CANCELLED"}
        for warning in warnings:
            self.report({"WARNING"}, warning)
        self.report({"INFO"}, f"Lip sync: wrote '{action.name}'")
        return {"FINISHED"}


classes = (LIPSYNC_OT_import_csv,)

register, unregister = bpy.utils.register_classes_factory(classes)
