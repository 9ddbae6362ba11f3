"""``--export-gltf``: the takes of each face, merged by Bake for Export, written as a binary glTF.

Blender's glTF exporter drops shape-key NLA tracks, so each face's takes go through
:func:`.export.merge_takes` (the panel's "Bake for Export": what the shape keys evaluate to, frame
by frame, with the takes' influences, blend modes and fades over the layers beneath) into one
action, made active with the NLA off for the export only. Afterwards the scene is as it was: the
active actions, NLA switches, earlier exports and selection are restored and the merged actions
removed.
"""

from __future__ import annotations

import bpy

from ..core.atomic import atomic_output
from ..core.errors import BakeError, WriteError
from ..core.file_checks import check_glb
from ..ids import EXPORT_PROP
from .export import PREVIOUS_PROP, merge_takes
from .takes import list_takes

#: Animation data settings that merge_takes and the export change.
_AD_SETTINGS = ("use_nla", "action_blend_type", "action_influence", "action_extrapolation")


def export_glb(scene, faces, target: str) -> dict:
    """Write ``faces`` (mesh objects with takes) and their merged animation to ``target``.

    Returns the written file's glTF JSON. Raises :class:`WriteError` when the exporter fails
    or writes a file without weight animation, :class:`.bake.BakeError` when a face has no take;
    ``target`` is then untouched.
    """
    import addon_utils

    addon_utils.enable("io_scene_gltf2", default_set=False)
    keys = [obj.data.shape_keys for obj in faces]
    saved = [_snapshot(key) for key in keys]
    selection = [(o, o.select_get()) for o in scene.objects]
    merged = []
    try:
        for obj, key in zip(faces, keys, strict=True):
            ad = key.animation_data
            if ad is not None and ad.action is not None and ad.action == key.get(EXPORT_PROP):
                ad.action = key.get(PREVIOUS_PROP)  # an earlier export: merge what lies beneath
            for prop in (EXPORT_PROP, PREVIOUS_PROP):
                key.pop(prop, None)  # so that merge_takes makes a new action, not reuse that one
            takes = list_takes(key)
            if not takes:
                raise BakeError(f"'{obj.name}' has no lip-sync take to export")
            # One frame more each side: the clip starts and ends with what lies beneath the takes
            # (a glTF player holds a clip's first and last keys).
            first = min(t.first_frame for t in takes) - 1
            last = max(t.last_frame for t in takes) + 1
            bake = merge_takes(obj, frame_start=first, frame_end=last, scene=scene)
            merged.append(bake.action)
            ad.use_nla = False
        for obj, _ in selection:
            obj.select_set(obj in faces)
        with atomic_output(target, _check_animated) as tmp:
            _run_exporter(tmp)
        return check_glb(target)
    finally:
        for obj, selected in selection:
            obj.select_set(selected)
        for key, state in zip(keys, saved, strict=True):
            _restore(key, state)
        for action in merged:
            bpy.data.actions.remove(action)


def _snapshot(key) -> dict:
    ad = key.animation_data
    state = {p: key.get(p) for p in (EXPORT_PROP, PREVIOUS_PROP) if p in key}
    if ad is None:
        return {"props": state, "ad": None}
    action = ad.action
    return {
        "props": state,
        "ad": {name: getattr(ad, name) for name in _AD_SETTINGS},
        "action": action,
        "slot": getattr(ad, "action_slot", None),
        "fake": action.use_fake_user if action is not None else None,
    }


def _restore(key, state: dict) -> None:
    for prop in (EXPORT_PROP, PREVIOUS_PROP):
        key.pop(prop, None)
    for prop, value in state["props"].items():
        key[prop] = value
    ad = key.animation_data
    if ad is None or state["ad"] is None:
        return
    ad.action = state["action"]
    if state["slot"] is not None:
        ad.action_slot = state["slot"]
    if state["action"] is not None:
        state["action"].use_fake_user = state["fake"]
    for name, value in state["ad"].items():
        setattr(ad, name, value)


def _run_exporter(path: str) -> None:
    try:
        result = bpy.ops.export_scene.gltf(
            filepath=path,
            export_format="GLB",
            use_selection=True,
            export_animations=True,
            export_animation_mode="ACTIVE_ACTIONS",
            export_morph=True,
            export_morph_animation=True,
            export_force_sampling=True,
        )
    except (RuntimeError, TypeError) as exc:
        raise WriteError(f"glTF export failed: {str(exc).strip()}") from None
    if "FINISHED" not in result:
        raise WriteError(f"glTF export did not finish ({', '.join(result)})")


def _check_animated(path: str) -> None:
    doc = check_glb(path)
    channels = [c for a in doc.get("animations", ()) for c in a.get("channels", ())]
    if not any(c.get("target", {}).get("path") == "weights" for c in channels):
        raise WriteError(f"{path}: the exporter wrote no morph-target weight animation")
