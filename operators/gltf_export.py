"""``--export-gltf``: the takes of a face, merged into one action, written as a binary glTF.

Blender's glTF exporter drops shape-key NLA tracks, so each face gets one action holding what its
shape keys evaluate to, frame by frame, over its takes' frames (the takes at their influences,
blend modes and fades, over the layers beneath). That action is made active with the NLA off for
the export only; the scene is restored afterwards and the merged action removed.

:func:`merge_takes_for_export` is a stand-in for the panel's "Bake for Export" merge: replace it
with that function where it exists (same inputs: scene and face; same result: one action).
"""

from __future__ import annotations

import bpy
import numpy as np

from ..core.errors import WriteError
from ..core.safe_write import atomic_output, check_glb
from .bake import BakeError
from .curves import assign, build_action
from .keying import shape_key_path, take_fcurves


def take_frames(key) -> tuple[int, int]:
    """First and last frame covered by the NLA strips and active action on ``key``.

    Raises
    ------
    BakeError
        When nothing animates the shape keys.
    """
    ad = key.animation_data
    spans = []
    if ad is not None:
        spans += [(s.frame_start, s.frame_end) for t in ad.nla_tracks for s in t.strips]
        if ad.action is not None:
            spans.append(tuple(ad.action.frame_range))
    if not spans:
        raise BakeError(f"the shape keys of '{key.user.name}' have no take to export")
    return int(round(min(a for a, _ in spans))), int(round(max(b for _, b in spans)))


def _animated_keys(key) -> list[str]:
    ad = key.animation_data
    actions = {s.action for t in ad.nla_tracks for s in t.strips if s.action is not None}
    if ad.action is not None:
        actions.add(ad.action)
    paths = {fc.data_path for action in actions for fc in take_fcurves(action)}
    return [kb.name for kb in key.key_blocks[1:] if shape_key_path(kb.name) in paths]


def merge_takes_for_export(scene, obj):
    """STAND-IN for "Bake for Export": one action with what ``obj``'s animated keys evaluate to.

    Samples every frame of the takes' span with ``scene.frame_set``, so what Blender shows is
    what is exported. Returns (action, slot); the scene's current frame is restored.
    """
    key = obj.data.shape_keys
    first, last = take_frames(key)
    names = _animated_keys(key)
    frames = range(first, last + 1)
    values = np.empty((len(frames), len(names)), dtype=np.float32)
    every = np.empty(len(key.key_blocks), dtype=np.float32)
    columns = [key.key_blocks.find(n) for n in names]
    current = scene.frame_current
    try:
        for row, frame in enumerate(frames):
            scene.frame_set(frame)
            key.key_blocks.foreach_get("value", every)
            values[row] = every[columns]
    finally:
        scene.frame_set(current)
    channels = {(shape_key_path(n), 0): values[:, i] for i, n in enumerate(names)}
    return build_action(f"{obj.name} export", "KEY", key.name, first, channels)


def export_glb(scene, faces, target: str) -> dict:
    """Write ``faces`` (mesh objects with takes) and their merged animation to ``target``.

    Returns the written file's glTF JSON. Raises :class:`WriteError` when the exporter fails
    or writes a file without weight animation; ``target`` is then untouched.
    """
    import addon_utils

    addon_utils.enable("io_scene_gltf2", default_set=False)
    merged = {obj: merge_takes_for_export(scene, obj) for obj in faces}
    state = [(o, o.select_get(), _key_animation(o)) for o in scene.objects]
    saved = {
        o: (ad.action, getattr(ad, "action_slot", None), ad.use_nla) for o, _, ad in state if ad
    }
    try:
        for obj, (action, slot) in merged.items():
            ad = obj.data.shape_keys.animation_data
            ad.use_nla = False
            assign(ad, action, slot)
        for obj, _, _ in state:
            obj.select_set(obj in merged)
        with atomic_output(target, _check_animated) as tmp:
            _run_exporter(tmp)
        return check_glb(target)
    finally:
        for obj, selected, _ in state:
            obj.select_set(selected)
        for obj, (action, slot, use_nla) in saved.items():
            ad = obj.data.shape_keys.animation_data
            ad.action = action
            if slot is not None:
                ad.action_slot = slot
            ad.use_nla = use_nla
        for action, _ in merged.values():
            bpy.data.actions.remove(action)


def _key_animation(obj):
    key = getattr(obj.data, "shape_keys", None)
    return key.animation_data if key is not None else None


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
