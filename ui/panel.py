"""The View3D sidebar tab "Lip Sync": source, face, mapping report, options, Generate."""

from __future__ import annotations

from functools import lru_cache

import bpy

from ..core.constants import EMOTION_NAMES
from ..core.naming import map_names
from ..operators.bake import shape_key_names
from ..operators.ids import (
    OT_CANCEL,
    OT_GENERATE,
    OT_IMPORT_CSV,
    PANEL_CATEGORY,
    PT_MAIN,
    PT_MAPPING,
    PT_OPTIONS,
    SCENE_PROP,
    WM_PROP,
)
from .deps import missing_modules
from .properties import REGIONS


@lru_cache(maxsize=32)
def _mapping(names: tuple[str, ...], preset: str):
    return map_names(names, preset)


def face_object(context):
    """The chosen face, else the active object when it has shape keys (as the operator does)."""
    settings = getattr(context.scene, SCENE_PROP)
    if settings.target is not None:
        return settings.target
    active = getattr(context, "active_object", None)
    return active if active is not None and shape_key_names(active) else None


def current_mapping(context):
    settings = getattr(context.scene, SCENE_PROP)
    face = face_object(context)
    if face is None:
        return None
    return _mapping(tuple(shape_key_names(face)), settings.preset)


class _Base:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = PANEL_CATEGORY


class LIPSYNC_PT_main(_Base, bpy.types.Panel):
    bl_idname = PT_MAIN
    bl_label = "Lip Sync"

    def draw(self, context):
        layout = self.layout
        settings = getattr(context.scene, SCENE_PROP)
        missing = missing_modules()
        if missing:
            layout.label(text=f"Missing: {', '.join(missing)}", icon="ERROR")
        sed = context.scene.sequence_editor
        if sed is None:
            layout.label(text="Add a sound strip in the Video Sequencer", icon="INFO")
        else:
            collection = "strips_all" if hasattr(sed, "strips_all") else "sequences_all"
            layout.prop_search(settings, "strip_name", sed, collection, text="Sound", icon="SOUND")
        layout.prop(settings, "target")
        face = face_object(context)
        if settings.target is None and face is not None:
            layout.label(text=f"Using the active object: {face.name}", icon="OBJECT_DATA")
        mapping = current_mapping(context)
        if mapping is not None:
            icon = "CHECKMARK" if not mapping.unmatched else "ERROR"
            text = f"{mapping.label}: {mapping.matched_count}/52 mapped"
            layout.label(text=text, icon=icon if mapping.matched_count else "CANCEL")
        layout.prop(settings, "model_source")
        layout.prop(settings, "output")
        run = getattr(context.window_manager, WM_PROP)
        if run.running:
            layout.progress(factor=run.progress, text=run.stage or "Working")
            layout.operator(OT_CANCEL, icon="CANCEL")
        else:
            layout.operator(OT_GENERATE, icon="PLAY")
            layout.operator(OT_IMPORT_CSV, icon="IMPORT")


class LIPSYNC_PT_options(_Base, bpy.types.Panel):
    bl_idname = PT_OPTIONS
    bl_label = "Options"
    bl_parent_id = PT_MAIN
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        layout = self.layout
        settings = getattr(context.scene, SCENE_PROP)
        layout.prop(settings, "smoothing")
        layout.prop(settings, "emotion_strength")
        layout.prop(settings, "show_emotions", toggle=True)
        if settings.show_emotions:
            col = layout.column(align=True)
            for name in EMOTION_NAMES:
                col.prop(settings, f"emotion_{name.lower()}")
        layout.label(text="Region Gain")
        col = layout.column(align=True)
        for region, _label in REGIONS:
            col.prop(settings, f"gain_{region}")


class LIPSYNC_PT_mapping(_Base, bpy.types.Panel):
    bl_idname = PT_MAPPING
    bl_label = "Shape Key Mapping"
    bl_parent_id = PT_MAIN
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        layout = self.layout
        settings = getattr(context.scene, SCENE_PROP)
        layout.prop(settings, "preset")
        mapping = current_mapping(context)
        if mapping is None:
            layout.label(text="Choose a face mesh")
            return
        layout.label(text=f"Preset: {mapping.label}")
        layout.label(text=f"{mapping.matched_count} of 52 channels, {mapping.key_count} keys")
        if mapping.unmatched:
            box = layout.box()
            box.label(text="Unmatched (not keyed):")
            flow = box.grid_flow(columns=2, align=True)
            for name in mapping.unmatched:
                flow.label(text=name)


def draw_status(self, context):
    """Progress in the status bar while a bake runs."""
    run = getattr(context.window_manager, WM_PROP, None)
    if run is not None and run.running:
        self.layout.progress(factor=run.progress, text=f"Lip sync: {run.stage}")


classes = (LIPSYNC_PT_main, LIPSYNC_PT_options, LIPSYNC_PT_mapping)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.STATUSBAR_HT_header.append(draw_status)


def unregister() -> None:
    bpy.types.STATUSBAR_HT_header.remove(draw_status)
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
