"""Bake for Export: a face's takes, with their influences and everything beneath, as one action.

glTF and FBX exporters read an object's active action (glTF drops shape-key NLA tracks), so the
result of the NLA stack is sampled frame by frame, exactly as Blender evaluates it, into one action
on the Key, made its active action. A head bone's rotation can be sampled the same way into an
action on its armature.
"""

from __future__ import annotations

from dataclasses import dataclass

import bpy
import numpy as np

from ..core.errors import BakeError
from ..ids import EXPORT_PROP
from .actions import active_paths, assign, clear_action, strip_paths, write_curves
from .takes import fit_name, list_takes

#: On the Key: the user's active action that the export action displaced.
PREVIOUS_PROP = "lipsync_export_previous"


@dataclass(frozen=True)
class ExportBake:
    """What :func:`merge_takes` wrote."""

    action: bpy.types.Action  # on the Key, now its active action
    head_action: bpy.types.Action | None  # on the armature
    frame_start: int
    frame_end: int
    paths: tuple[str, ...]  # data paths keyed on the Key
    replaced_action: str  # name of the user's active action it displaced ("" if none)


def merge_takes(
    obj,
    take_ids=None,
    *,
    frame_start: int | None = None,
    frame_end: int | None = None,
    head=None,
    scene=None,
) -> ExportBake:
    """Sample the face's animated shape keys into one action and make it the Key's active action.

    Parameters
    ----------
    obj : bpy.types.Object
        The face mesh.
    take_ids : iterable of str, optional
        Takes to include (default: all takes on the face); the others are muted while sampling.
    frame_start, frame_end : int, optional
        Inclusive frame range (default: from the first frame of the chosen takes to the last).
    head : (bpy.types.Object, str), optional
        An armature and its head bone: the bone's rotation is sampled too, into an action that
        becomes the armature's active action.
    scene : bpy.types.Scene, optional
        The scene to evaluate (default: the context's).

    Returns
    -------
    ExportBake
        One F-Curve per animated shape key with a key on every frame of the range.
    """
    scene = scene or bpy.context.scene
    key = obj.data.shape_keys if obj is not None and obj.type == "MESH" else None
    ad = key.animation_data if key is not None else None
    takes = list_takes(key)
    chosen = {t.take_id for t in takes} if take_ids is None else set(take_ids)
    picked = [t for t in takes if t.take_id in chosen]
    if not picked:
        raise BakeError(f"'{getattr(obj, 'name', obj)}' has no lip-sync take to bake for export")
    first = min(t.first_frame for t in picked) if frame_start is None else int(frame_start)
    last = max(t.last_frame for t in picked) if frame_end is None else int(frame_end)
    if last < first:
        raise BakeError(f"frame range {first}..{last} is empty")
    paths = sorted(
        {p for t in ad.nla_tracks for s in t.strips if s.action is not None for p in strip_paths(s)}
        | active_paths(ad)
    )
    names = [kb.name for kb in key.key_blocks]
    columns = [names.index(p.split('"')[1]) for p in paths if p.startswith("key_blocks[")]
    paths = [p for p in paths if p.startswith("key_blocks[")]
    bones = _head_paths(head)
    action = key.get(EXPORT_PROP)
    if isinstance(action, bpy.types.Action) and ad.action == action:
        # An earlier export is on top of everything: sample what lies beneath it.
        ad.action = key.get(PREVIOUS_PROP)
    values, head_values = _sample(scene, key, ad, chosen, first, last, columns, head, bones)
    if not isinstance(action, bpy.types.Action):
        action = bpy.data.actions.new(fit_name("LipSync Export", obj.name))
        action[EXPORT_PROP] = True
        key[EXPORT_PROP] = action
    clear_action(action)
    slot = write_curves(action, key, first, {p: values[:, i] for i, p in enumerate(paths)})
    replaced = ""
    if ad.action is not None:
        replaced = ad.action.name
        ad.action.use_fake_user = True  # not lost on save: the user can assign it back
        key[PREVIOUS_PROP] = ad.action
    elif PREVIOUS_PROP in key:
        del key[PREVIOUS_PROP]
    assign(ad, action, slot)
    ad.action_blend_type, ad.action_influence = "REPLACE", 1.0
    ad.action_extrapolation = "HOLD"
    head_action = _write_head(head, bones, head_values, first) if head else None
    return ExportBake(action, head_action, first, last, tuple(paths), replaced)


def _head_paths(head) -> list:
    if not head:
        return []
    from .bone_takes import rotation_channels

    arm, bone = head
    pb = arm.pose.bones.get(bone) if arm is not None and arm.type == "ARMATURE" else None
    if pb is None:
        raise BakeError(f"no bone '{bone}' on armature '{getattr(arm, 'name', arm)}'")
    return rotation_channels(pb)


def _sample(scene, key, ad, chosen, first, last, columns, head, bones):
    """(frames, channels) values of ``columns`` and the head's, with unchosen takes muted."""
    muted = []
    for track in ad.nla_tracks:
        for strip in track.strips:
            take = strip.action.get("lipsync_take") if strip.action is not None else None
            if take is not None and take not in chosen and not strip.mute:
                strip.mute = True
                muted.append(strip)
    frame = scene.frame_current
    count = last - first + 1
    out = np.empty((count, len(columns)), dtype=np.float32)
    head_out = np.empty((count, len(bones)), dtype=np.float32)
    row = np.empty(len(key.key_blocks), dtype=np.float32)
    try:
        for i, f in enumerate(range(first, last + 1)):
            scene.frame_set(f)
            key.key_blocks.foreach_get("value", row)
            out[i] = row[columns]
            for j, (path, index) in enumerate(bones):
                head_out[i, j] = head[0].path_resolve(path)[index]
    finally:
        for strip in muted:
            strip.mute = False
        scene.frame_set(frame)
    return out, head_out


def _write_head(head, bones, values, first):
    arm = head[0]
    action = bpy.data.actions.new(fit_name("LipSync Export Head", arm.name))
    action[EXPORT_PROP] = True
    curves = {bone: values[:, j] for j, bone in enumerate(bones)}
    slot = write_curves(action, arm, first, curves, id_type="OBJECT")
    ad = arm.animation_data or arm.animation_data_create()
    if ad.action is not None:
        ad.action.use_fake_user = True
    assign(ad, action, slot)
    return action
