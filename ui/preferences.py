"""Extension preferences: a custom NeuroSync checkpoint, and what is missing to run."""

from __future__ import annotations

import bpy
from bpy.props import StringProperty

from ..operators.ids import ADDON_PACKAGE
from .deps import missing_modules


class LIPSYNC_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_PACKAGE

    model_path: StringProperty(
        name="Custom model",
        description="A NeuroSync .pth checkpoint (used when a scene's Model is 'Custom .pth')",
        subtype="FILE_PATH",
    )

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "model_path")
        missing = missing_modules()
        if missing:
            layout.label(text=f"Missing Python modules: {', '.join(missing)}", icon="ERROR")


classes = (LIPSYNC_AP_preferences,)

register, unregister = bpy.utils.register_classes_factory(classes)
