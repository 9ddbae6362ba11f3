"""Settings saved with the .blend (Scene) and the run state of a bake (WindowManager)."""

from __future__ import annotations

import bpy
from bpy.props import (
    BoolProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from ..blender.settings import REGIONS, SECONDARY_PARTS
from ..core.constants import EMOTION_NAMES
from ..core.naming import AUTO, PRESETS
from ..ids import SCENE_PROP, WM_PROP


def _is_face(_self, obj) -> bool:
    return obj.type == "MESH" and obj.data.shape_keys is not None


def _strength(label: str, description: str):
    return FloatProperty(
        name=label, description=description, default=1.0, min=0.0, max=2.0, subtype="FACTOR"
    )


def _sound_strip_names(_self, context, _edit_text):
    """Search list of the Sound field: sound strips only, meta-strip children included."""
    from ..blender.bake import sound_strips, strip_scene

    return sorted(s.name for s in sound_strips(strip_scene(context)))


class LIPSYNC_PG_settings(bpy.types.PropertyGroup):
    strip_name: StringProperty(
        name="Sound Strip",
        description="Sound strip of the Sequencer to lip sync",
        search=_sound_strip_names,
    )
    target: PointerProperty(
        name="Face",
        type=bpy.types.Object,
        poll=_is_face,
        description="Mesh whose ARKit shape keys are animated",
    )
    model_source: EnumProperty(
        name="Model",
        items=(
            ("DEFAULT", "Default", "The model shipped with the extension"),
            ("CUSTOM", "Custom .pth", "The NeuroSync checkpoint chosen in the preferences"),
        ),
    )
    preset: EnumProperty(
        name="Naming",
        description="How ARKit channels are named on the mesh",
        items=[(AUTO, "Auto-detect", "Pick the preset that matches the most keys")]
        + [(p.id, p.label, "") for p in PRESETS.values()],
    )
    emotion_strength: _strength("Emotion", "How strongly detected emotions shape the face (0: off)")
    smoothing: EnumProperty(
        name="Smoothing",
        default="savgol",
        items=(
            ("none", "None", "Raw model output"),
            ("pairs", "Pairs", "Average each frame with the previous one (NeuroSync's own)"),
            ("savgol", "Savitzky-Golay", "Removes jitter, keeps short closures (p, b, m)"),
        ),
    )
    output: EnumProperty(
        name="Output",
        items=(
            ("NLA", "NLA Strip", "A strip at the sound strip's position; hand animation stays"),
            ("ACTION", "Active Action", "The take becomes the shape keys' active action"),
        ),
    )
    show_emotions: BoolProperty(name="Per Emotion", default=False)
    channels: EnumProperty(
        name="Keyed Channels",
        description="Which channels a take keys (regions at gain 0 are never keyed)",
        items=(
            ("ALL", "All Enabled", "Every channel of a region whose gain is above 0"),
            ("MOUTH", "Mouth Only", "Jaw, mouth and tongue: blinks, brows and cheeks stay yours"),
        ),
    )
    directed_emotion: EnumProperty(
        name="Emotion",
        description="Emotion to play over the whole take (the default model hears none)",
        items=[("MODEL", "From the Model", "The model's own emotion output")]
        + [(n, n, f"Direct {n}") for n in EMOTION_NAMES],
    )
    emotion_intensity: FloatProperty(
        name="Intensity", description="How much of the directed emotion", default=1.0,
        min=0.0, max=1.0, subtype="FACTOR",
    )  # fmt: skip
    secondary_seed: IntProperty(
        name="Seed", description="Same seed, same blinks, gaze, brows and head motion",
        default=0, min=0,
    )  # fmt: skip
    head_armature: PointerProperty(
        name="Armature", type=bpy.types.Object, poll=lambda _self, obj: obj.type == "ARMATURE",
        description="Armature whose bones take the head and eye rotations (none: not keyed)",
    )  # fmt: skip
    head_object: PointerProperty(
        name="Head Object", type=bpy.types.Object,
        description="Object (e.g. the head's parent empty, or the face) keyed with "
        "HeadYaw/Pitch/Roll on top of its own rotation; a head bone, when set, wins",
    )  # fmt: skip
    head_bone: StringProperty(
        name="Head Bone", description="Bone (head or neck) keyed with HeadYaw/Pitch/Roll"
    )
    left_eye_bone: StringProperty(
        name="Left Eye", description="Bone keyed with LeftEyeYaw/Pitch/Roll (empty: none)"
    )
    right_eye_bone: StringProperty(
        name="Right Eye", description="Bone keyed with RightEyeYaw/Pitch/Roll (empty: none)"
    )


for _name in EMOTION_NAMES:
    LIPSYNC_PG_settings.__annotations__[f"emotion_{_name.lower()}"] = _strength(
        _name, f"Strength of {_name}"
    )
for _part, _label in SECONDARY_PARTS:
    LIPSYNC_PG_settings.__annotations__[f"secondary_{_part}"] = BoolProperty(
        name=_label, description=f"Generate {_label.lower()} where the model leaves them flat",
        default=True,
    )  # fmt: skip
    LIPSYNC_PG_settings.__annotations__[f"strength_{_part}"] = _strength(
        "Strength", f"Strength of the generated {_label.lower()}"
    )
for _region, _label in REGIONS:
    LIPSYNC_PG_settings.__annotations__[f"gain_{_region}"] = _strength(_label, f"Gain on {_label}")


class LIPSYNC_PG_run(bpy.types.PropertyGroup):
    running: BoolProperty(default=False)
    progress: FloatProperty(default=0.0, min=0.0, max=1.0, subtype="FACTOR")
    stage: StringProperty(default="")
    message: StringProperty(default="")


classes = (LIPSYNC_PG_settings, LIPSYNC_PG_run)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    setattr(bpy.types.Scene, SCENE_PROP, PointerProperty(type=LIPSYNC_PG_settings))
    setattr(bpy.types.WindowManager, WM_PROP, PointerProperty(type=LIPSYNC_PG_run))


def unregister() -> None:
    delattr(bpy.types.WindowManager, WM_PROP)
    delattr(bpy.types.Scene, SCENE_PROP)
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
