"""The View3D sidebar tab "Lip Sync": source, face, mapping report, options, Generate."""

from __future__ import annotations

from functools import lru_cache

import bpy

from ..blender.bake import shape_key_names, sound_strips, strip_scene
from ..blender.settings import REGIONS, chosen_strip, face_object
from ..blender.takes import key_problem
from ..core.constants import EMOTION_NAMES
from ..core.naming import map_names
from ..ids import (
    OT_CANCEL,
    OT_GENERATE,
    OT_IMPORT_CSV,
    PANEL_CATEGORY,
    PT_MAIN,
    PT_MAPPING,
    PT_OPTIONS,
    PT_TAKES,
    SCENE_PROP,
    WM_PROP,
)
from .deps import missing_modules, untested_blender
from .takes_list import draw_hidden_warning, draw_takes


@lru_cache(maxsize=32)
def _mapping(names: tuple[str, ...], preset: str):
    return map_names(names, preset)


def current_mapping(context):
    settings = getattr(context.scene, SCENE_PROP)
    face = face_object(context)
    if face is None:
        return None
    return _mapping(tuple(shape_key_names(face)), settings.preset)


def generate_problem(context) -> str | None:
    """Why Generate cannot work now (shown under the disabled button), or None."""
    settings = getattr(context.scene, SCENE_PROP)
    strips = sound_strips(strip_scene(context))
    if not strips:
        return "Add a sound strip in the Video Sequencer"
    if chosen_strip(context) is None:
        if settings.strip_name:
            return f"'{settings.strip_name}' is not a sound strip of this scene"
        return f"Choose one of the {len(strips)} sound strips"
    face = face_object(context)
    if face is None:
        return "Choose a face mesh with shape keys"
    mapping = current_mapping(context)
    if mapping is None or mapping.matched_count == 0:
        return f"No shape key of '{face.name}' matches an ARKit name"
    problem, _ = key_problem(face)
    return problem


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
        warning = untested_blender(bpy.app.version)
        if warning:
            layout.label(text=warning, icon="ERROR")
        layout.prop(settings, "strip_name", text="Sound", icon="SOUND")
        strip = chosen_strip(context)
        if strip is not None and strip.mute:
            layout.label(text=f"'{strip.name}' is muted: you will not hear it", icon="ERROR")
        layout.prop(settings, "target")
        face = face_object(context)
        if settings.target is None and face is not None:
            layout.label(text=f"Using the active object: {face.name}", icon="OBJECT_DATA")
        mapping = current_mapping(context)
        if mapping is not None:
            icon = "CHECKMARK" if not mapping.unmatched else "ERROR"
            text = f"{mapping.label}: {mapping.matched_count}/52 mapped"
            layout.label(text=text, icon=icon if mapping.matched_count else "CANCEL")
        if face is not None and mapping is not None:
            draw_hidden_warning(layout, face, [n for _, n in mapping.pairs()])
        layout.prop(settings, "model_source")
        layout.prop(settings, "output")
        run = getattr(context.window_manager, WM_PROP)
        if run.running:
            layout.progress(factor=run.progress, text=run.stage or "Working")
            layout.operator(OT_CANCEL, icon="CANCEL")
        else:
            problem = generate_problem(context)
            row = layout.row()
            row.enabled = problem is None
            row.operator(OT_GENERATE, icon="PLAY")
            if problem:
                layout.label(text=problem, icon="INFO")
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
        layout.prop(settings, "channels")


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


class LIPSYNC_PT_takes(_Base, bpy.types.Panel):
    bl_idname = PT_TAKES
    bl_label = "Takes"
    bl_parent_id = PT_MAIN

    def draw(self, context):
        draw_takes(self.layout, context, face_object(context))


def draw_status(self, context):
    """Progress in the status bar while a bake runs."""
    run = getattr(context.window_manager, WM_PROP, None)
    if run is not None and run.running:
        self.layout.progress(factor=run.progress, text=f"Lip sync: {run.stage}")


classes = (LIPSYNC_PT_main, LIPSYNC_PT_takes, LIPSYNC_PT_options, LIPSYNC_PT_mapping)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.STATUSBAR_HT_header.append(draw_status)


def unregister() -> None:
    bpy.types.STATUSBAR_HT_header.remove(draw_status)
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
