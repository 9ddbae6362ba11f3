"""Sidebar section "Face Motion": the secondary parts (blinks, gaze, brows, head) and the
directed emotion. A panel of its own under the main one, so the main panel stays untouched."""

from __future__ import annotations

import bpy

from ..blender.settings import SECONDARY_PARTS
from ..ids import PT_MAIN, PT_SECONDARY, SCENE_PROP
from .panel import _Base


class LIPSYNC_PT_secondary(_Base, bpy.types.Panel):
    bl_idname = PT_SECONDARY
    bl_label = "Face Motion"
    bl_parent_id = PT_MAIN
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        layout = self.layout
        settings = getattr(context.scene, SCENE_PROP)
        col = layout.column(align=True)
        col.prop(settings, "directed_emotion")
        row = col.row()
        row.enabled = settings.directed_emotion != "MODEL"
        row.prop(settings, "emotion_intensity")
        layout.label(text="Generated where the model is flat")
        for part, _label in SECONDARY_PARTS:
            row = layout.row(align=True)
            row.prop(settings, f"secondary_{part}")
            sub = row.row(align=True)
            sub.enabled = getattr(settings, f"secondary_{part}")
            sub.prop(settings, f"strength_{part}")
        layout.prop(settings, "secondary_seed")
        _draw_bones(layout.box(), settings)


def _draw_bones(box, settings) -> None:
    """Armature and the bones that take the bake's head and eye rotations."""
    box.label(text="Head and Eye Rotation")
    box.prop(settings, "head_armature")
    arm = settings.head_armature
    col = box.column(align=True)
    col.enabled = arm is not None
    for prop in ("head_bone", "left_eye_bone", "right_eye_bone"):
        if arm is not None and arm.type == "ARMATURE":
            col.prop_search(settings, prop, arm.data, "bones")
        else:
            col.prop(settings, prop)
    row = box.row()
    row.enabled = not (arm is not None and settings.head_bone)  # the head bone wins
    row.prop(settings, "head_object")


classes = (LIPSYNC_PT_secondary,)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
