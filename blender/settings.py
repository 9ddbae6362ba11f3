"""The scene's settings and the user's choices -> what the bake path takes.

The operators, the panel and the take manager read the same choices here: the scene's
:class:`~.bake.BakeSettings`, the sound strip Generate uses and the face it keys, so a
fallback (the only strip, the active object) means the same in a button's poll, its
message and its work.
"""

from __future__ import annotations

from dataclasses import replace

import bpy

from ..core.constants import EMOTION_NAMES
from ..core.postprocess import REGIONS as REGION_IDS
from ..core.postprocess import ProductOptions
from ..core.secondary import SecondaryOptions
from ..ids import ADDON_PACKAGE, SCENE_PROP
from .bake import BakeError, BakeSettings, RigTargets, shape_key_names, sound_strips, strip_scene

_REGION_LABELS = {
    "mouth": "Mouth / Jaw",
    "brows": "Brows",
    "cheeks": "Cheeks / Nose",
    "eyes": "Eyes",
}
#: (id, label) of each region with a gain, in the engine's order (core.postprocess.REGIONS).
REGIONS = tuple((region, _REGION_LABELS[region]) for region in REGION_IDS)

#: (id, label) of each part of secondary motion (core.secondary.SecondaryOptions' switches).
SECONDARY_PARTS = (
    ("blinks", "Blinks"),
    ("gaze", "Gaze"),
    ("brows", "Brows"),
    ("head", "Head Motion"),
)


def _preferences(context):
    addon = context.preferences.addons.get(ADDON_PACKAGE)
    return addon.preferences if addon is not None else None


def model_path(context) -> str | None:
    """The custom checkpoint chosen in the preferences, or None for the default model."""
    prefs = _preferences(context)
    path = getattr(prefs, "model_path", "") if prefs is not None else ""
    return bpy.path.abspath(path) if path else None


def engine_choice(context) -> dict[str, str]:
    """``backend`` and ``device`` from the preferences (numpy on the CPU when unset)."""
    prefs = _preferences(context)
    return {
        "backend": getattr(prefs, "backend", "numpy"),
        "device": getattr(prefs, "device", "cpu"),
    }


def to_bake_settings(settings, context) -> BakeSettings:
    """Scene settings (``Scene.<SCENE_PROP>``) -> the plain :class:`BakeSettings`."""
    path = None
    if settings.model_source == "CUSTOM":
        path = model_path(context)
        if not path:
            raise BakeError("choose a .pth model in the extension's preferences, or use Default")
    return BakeSettings(
        product=product_options(settings),
        mode=settings.output,
        preset=settings.preset,
        model_path=path,
        **engine_choice(context),
        channels=settings.channels,
        rig=rig_targets(settings),
        head_object=head_object(settings),
    )


def rig_targets(settings) -> RigTargets | None:
    """The bones for head and eye rotation, or None when no armature or bone is chosen."""
    arm = settings.head_armature
    bones = (settings.head_bone, settings.left_eye_bone, settings.right_eye_bone)
    if arm is None or not any(bones):
        return None
    return RigTargets(arm.name, *bones)


def head_object(settings) -> str:
    """Name of the object for the head rotation; "" when none is chosen or a head bone is (the
    bone wins: it is the more specific target, and keying both would double the motion)."""
    obj = settings.head_object
    if obj is None or (settings.head_armature is not None and settings.head_bone):
        return ""
    return obj.name


def product_options(settings) -> ProductOptions:
    """The engine's knobs of the scene's settings (the timing is each strip's, set at bake)."""
    parts = [p for p, _ in SECONDARY_PARTS]
    secondary = SecondaryOptions(
        **{p: getattr(settings, f"secondary_{p}") for p in parts},
        strengths={p: getattr(settings, f"strength_{p}") for p in parts},
        seed=settings.secondary_seed,
    )
    emotion = None if settings.directed_emotion == "MODEL" else settings.directed_emotion
    return ProductOptions(
        emotion_strength=settings.emotion_strength,
        emotion_strengths={n: getattr(settings, f"emotion_{n.lower()}") for n in EMOTION_NAMES},
        region_gains={r: getattr(settings, f"gain_{r}") for r, _ in REGIONS},
        smoothing=settings.smoothing,
        emotion=emotion,
        emotion_intensity=settings.emotion_intensity,
        secondary=secondary,
    )


def face_object(context):
    """The chosen face, else the active object when it has shape keys; None otherwise."""
    settings = getattr(context.scene, SCENE_PROP)
    if settings.target is not None:
        return settings.target
    active = getattr(context, "active_object", None)
    return active if active is not None and shape_key_names(active) else None


def face_named(context, name: str = ""):
    """The object ``name``, else :func:`face_object`; None unless a mesh with shape keys."""
    obj = bpy.data.objects.get(name) if name else face_object(context)
    return obj if obj is not None and obj.type == "MESH" and shape_key_names(obj) else None


def chosen_strip(context):
    """The sound strip Generate will use: the named one, else the only one (None otherwise)."""
    settings = getattr(context.scene, SCENE_PROP)
    strips = sound_strips(strip_scene(context))
    if settings.strip_name:
        return next((s for s in strips if s.name == settings.strip_name), None)
    return strips[0] if len(strips) == 1 else None


def bake_inputs(context, strip: str = "", obj: str = "", model: str = ""):
    """(strip name, object name, BakeSettings): the arguments given, else the scene's choices.

    Raises
    ------
    BakeError
        No strip named and the scene does not hold exactly one; no face named or chosen.
    """
    settings = getattr(context.scene, SCENE_PROP)
    strip = strip or settings.strip_name
    if not strip:  # a scene with a single sound strip needs no choice
        only = chosen_strip(context)
        if only is None:
            count = len(sound_strips(strip_scene(context)))
            raise BakeError(f"choose a sound strip (the scene has {count})")
        strip = only.name
    if not obj:
        face = face_object(context)
        if face is None:
            raise BakeError("choose a face mesh with shape keys")
        obj = face.name
    bake_settings = to_bake_settings(settings, context)
    if model:
        bake_settings = replace(bake_settings, model_path=bpy.path.abspath(model))
    return strip, obj, bake_settings
