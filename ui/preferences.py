"""Extension preferences: a custom NeuroSync checkpoint, and what is missing to run."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, StringProperty

from ..ids import ADDON_PACKAGE
from .deps import TESTED_BLENDER, has_torch, missing_modules, untested_blender


class LIPSYNC_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_PACKAGE

    model_path: StringProperty(
        name="Custom model",
        description="A NeuroSync .pth checkpoint (used when a scene's Model is 'Custom .pth')",
        subtype="FILE_PATH",
    )
    backend: EnumProperty(
        name="Engine",
        description="What runs the model",
        items=(
            ("numpy", "Built-in (numpy)", "Runs every model on the CPU; needs nothing else"),
            ("torch", "PyTorch", "Needs PyTorch installed; can use a CUDA or Apple GPU"),
        ),
        default="numpy",
    )
    device: EnumProperty(
        name="Device",
        description="Where PyTorch runs the model (PyTorch engine only)",
        items=(
            ("auto", "Auto", "A GPU when one is available, else the CPU"),
            ("cpu", "CPU", ""),
            ("cuda", "CUDA GPU", ""),
            ("mps", "Apple GPU (Metal)", ""),
        ),
        default="cpu",
    )

    def draw(self, context):
        layout = self.layout
        layout.label(text=f"Runs on {TESTED_BLENDER}", icon="BLENDER")
        warning = untested_blender(bpy.app.version)
        if warning:
            layout.label(text=warning, icon="ERROR")
        layout.prop(self, "model_path")
        layout.prop(self, "backend")
        row = layout.row()
        row.enabled = self.backend == "torch"
        row.prop(self, "device")
        if self.backend == "torch" and not has_torch():
            layout.label(text="PyTorch is not installed: choose the built-in engine", icon="ERROR")
        missing = missing_modules()
        if missing:
            layout.label(text=f"Missing Python modules: {', '.join(missing)}", icon="ERROR")


classes = (LIPSYNC_AP_preferences,)

register, unregister = bpy.utils.register_classes_factory(classes)
