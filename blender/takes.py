"""What a take is: its identity, its name, where it can be written, and the list of a face's takes.

A take's identity is the uuid its sound strip carries (``STRIP_UID_PROP``), stored on the take's
action (``TAKE_PROP``); the take lives on the face's Key, so renaming the strip or the object keeps
it. Names are for people only and are shortened to Blender's 63 bytes, keeping the object's name.
"""

from __future__ import annotations

import datetime
import os
import uuid
from dataclasses import dataclass

from ..core.errors import BakeError, OptionsError
from ..core.naming import CHANNELS
from ..core.postprocess import region_of
from ..ids import FRAMES_PROP, STRIP_UID_PROP, TAKE_PROP
from .limits import NAME_BYTES

#: Channel scopes a bake can key: every enabled region, or the mouth, jaw and tongue only.
SCOPES = ("ALL", "MOUTH")


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes on a character boundary, with '~' where it was cut."""
    if len(text.encode()) <= limit:
        return text
    data = text.encode()[: max(0, limit - 1)]
    return data.decode(errors="ignore") + "~"


def fit_name(prefix: str, obj_name: str, middle: str = "", limit: int = NAME_BYTES) -> str:
    """``"<prefix> <middle> - <obj_name>"`` within ``limit`` bytes: ``middle`` is shortened first.

    >>> fit_name("LipSync", "Face", "voice")
    'LipSync voice - Face'
    """
    tail = f" - {obj_name}" if obj_name else ""
    head = f"{prefix} {middle}" if middle else prefix
    if len((head + tail).encode()) <= limit:
        return head + tail
    room = limit - len(tail.encode()) - len(prefix.encode()) - 1
    if middle and room >= 8:
        return f"{prefix} {_cut(middle, room)}{tail}"
    # The object's name alone is too long: keep its start and a few bytes of the strip's.
    return _cut(f"{prefix} {_cut(middle, 12)} - {obj_name}" if middle else head + tail, limit)


def take_name(strip_name: str, object_name: str) -> str:
    return fit_name("LipSync", object_name, strip_name)


def strip_uid(strip, strips) -> str:
    """The strip's take identity; a new one when it has none or shares a copied one.

    A duplicated strip carries its original's uid: it keeps it only if a take was made from a
    strip of its name, the other copy gets a fresh uid when it is baked.
    """
    import bpy

    uid = strip.get(STRIP_UID_PROP)
    if not uid:
        return uuid.uuid4().hex
    if sum(1 for s in strips if s.get(STRIP_UID_PROP) == uid) > 1:
        owners = {a.get("lipsync_strip") for a in bpy.data.actions if a.get(TAKE_PROP) == uid}
        if strip.name not in owners:
            return uuid.uuid4().hex
    return uid


def enabled_targets(targets, region_gains: dict, scope: str = "ALL") -> tuple:
    """The (channel, key name) pairs to key: regions at gain 0 (all but the mouth for MOUTH) out."""
    if scope not in SCOPES:
        raise OptionsError(f"channel scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    out = []
    for channel, name in targets:
        arkit = CHANNELS[channel]
        region = region_of(arkit[0].upper() + arkit[1:])
        if region is not None and float(region_gains.get(region, 1.0)) == 0.0:
            continue
        if scope == "MOUTH" and region != "mouth":
            continue
        out.append((channel, name))
    return tuple(out)


def key_problem(obj) -> tuple[str | None, bool]:
    """(why the face's shape keys cannot take a bake or None, whether an override must be made).

    A linked face needs a library override; its linked mesh then gets one too (that makes the
    shape keys local to this file). Anything else linked cannot be saved: refused.
    """
    if obj is None or obj.type != "MESH" or obj.data.shape_keys is None:
        return "choose a mesh with shape keys", False
    if obj.library is not None and obj.override_library is None:
        return (
            f"'{obj.name}' is linked from '{obj.library.filepath}': make a library override "
            "(Object > Library Override > Make) to bake onto it",
            False,
        )
    mesh, key = obj.data, obj.data.shape_keys
    if mesh.library is not None:
        if obj.override_library is None:
            return (
                f"the mesh of '{obj.name}' is linked from '{mesh.library.filepath}': make the "
                "object a library override or the mesh local",
                False,
            )
        return None, True
    if key.library is not None or not getattr(key, "is_editable", True):
        return f"the shape keys of '{obj.name}' are linked and cannot be saved here", False
    return None, False


def editable_key(obj):
    """The face's Key, after making the override its bake needs; raises BakeError if impossible."""
    problem, needs_override = key_problem(obj)
    if problem:
        raise BakeError(problem)
    if needs_override:
        obj.data.override_create(remap_local_usages=True)
        if obj.data.library is not None or obj.data.shape_keys.library is not None:
            raise BakeError(f"could not override the shape keys of '{obj.name}'")
    return obj.data.shape_keys


@dataclass(frozen=True)
class TakeInfo:
    """One take of a face, as the take manager lists it."""

    take_id: str
    action_name: str
    strip_name: str
    first_frame: int
    last_frame: int
    model: str
    date: str
    track_name: str  # "" when the take is the active action
    muted: bool


def list_takes(key) -> list[TakeInfo]:
    """The takes on ``key``: its NLA strips and active action holding a take, by first frame."""
    from .layers import is_take

    ad = key.animation_data if key is not None else None
    if ad is None:
        return []
    found = [(t, s, s.action) for t in ad.nla_tracks for s in t.strips if is_take(s.action)]
    if is_take(ad.action):
        found.append((None, None, ad.action))
    out = []
    for track, strip, action in found:
        if strip is not None:
            first, last = strip.frame_start, strip.frame_end
        else:
            first, last = action.get(FRAMES_PROP, action.frame_range)
        out.append(
            TakeInfo(
                action[TAKE_PROP],
                action.name,
                str(action.get("lipsync_strip", "")),
                int(round(first)),
                int(round(last)),
                str(action.get("lipsync_model", "")),
                str(action.get("lipsync_date", "")),
                track.name if track else "",
                bool(strip.mute) if strip else False,
            )
        )
    return sorted(out, key=lambda t: (t.first_frame, t.action_name))


def active_action_warning(obj, paths) -> str:
    """The report line when the active action keys ``paths`` (data paths) a take would key."""
    names = [p.split('"')[1] for p in paths]
    action = obj.data.shape_keys.animation_data.action
    shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
    return (
        f"the active action '{action.name}' of {obj.name}'s shape keys also keys {len(names)} of "
        f"the take's channels ({shown}) and hides the take there: use Push Down Action"
    )


def stamp_take(action, source: str, object_name: str, model: str | None) -> None:
    """What the take manager shows: source (strip or file), object, model and date."""
    action["lipsync_strip"] = source
    action["lipsync_object"] = object_name
    action["lipsync_model"] = os.path.basename(model) if model else "default"
    action["lipsync_date"] = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
