"""The NLA stack under and around the takes of one face: our tracks, the base, the active action.

Blender evaluates NLA tracks bottom to top, then the active action on top of them. A channel that
some strip animates, but that no strip covers at the current frame, falls back to its RNA default
(1.0 for a shape key in 5.0, 0.0 before), and a strip with influence below 1 or a blend-in blends
toward that default. So the takes (strips with extrapolation NOTHING: outside their frames they
change nothing) sit above one *base* track whose single strip holds (extrapolation HOLD), for
every channel a take keys and no animation of the user's drives, the value the slider had before
the first bake. Channels the user animates (lower tracks, the active action) are left out of the
base so that the takes blend over the user's own result instead.

Tracks are ours by what they hold, never by name: a base track holds one strip of a base action
(``BASE_PROP``), a take track holds only take strips (``TAKE_PROP``). A user's track named
``LipSync.x`` is therefore never touched.
"""

from __future__ import annotations

import bpy

from ..ids import BASE_PROP, BASE_TRACK_NAME, TAKE_PROP, TRACK_NAME
from .actions import active_paths, clear_action, fcurves_of, strip_paths, write_curves
from .takes import fit_name

#: NLA strip settings an animator may change; kept when a take is re-baked or moved up.
USER_SETTINGS = ("blend_type", "use_auto_blend", "blend_in", "blend_out", "influence", "mute")
#: Also kept when a strip moves to another track unchanged (restack).
PLACEMENT_SETTINGS = ("extrapolation", "scale", "repeat", "use_reverse")


def is_take(action) -> bool:
    return action is not None and TAKE_PROP in action


def is_base_track(track) -> bool:
    strips = list(track.strips)
    return len(strips) == 1 and strips[0].action is not None and BASE_PROP in strips[0].action


def is_take_track(track) -> bool:
    strips = list(track.strips)
    return bool(strips) and all(is_take(s.action) for s in strips)


def is_ours(track) -> bool:
    return is_base_track(track) or is_take_track(track)


def base_track(ad):
    return next((t for t in ad.nla_tracks if is_base_track(t)), None)


def take_tracks(ad) -> list:
    """Our take tracks above the base, bottom to top."""
    tracks = list(ad.nla_tracks)
    base = base_track(ad)
    above = tracks[tracks.index(base) + 1 :] if base is not None else tracks
    return [t for t in above if is_take_track(t)]


def take_paths(ad) -> set[str]:
    paths = {
        p for t in ad.nla_tracks for s in t.strips if is_take(s.action) for p in strip_paths(s)
    }
    if is_take(ad.action):
        paths |= active_paths(ad)
    return paths


def user_paths(ad) -> set[str]:
    """Channels the user's own animation drives: strips of other actions, the active action."""
    paths = {
        p
        for track in ad.nla_tracks
        for strip in track.strips
        if strip.action is not None and not is_take(strip.action) and BASE_PROP not in strip.action
        for p in strip_paths(strip)
    }
    if ad.action is not None and not is_take(ad.action):
        paths |= active_paths(ad)
    return paths


def conflicts(key, paths) -> list[str]:
    """Data paths among ``paths`` that the active (user) action also keys: it hides the take."""
    ad = key.animation_data
    if ad is None or ad.action is None or is_take(ad.action):
        return []
    return sorted(active_paths(ad) & set(paths))


def read_settings(strip, names=USER_SETTINGS) -> dict:
    out = {name: getattr(strip, name) for name in names}
    if strip.use_animated_influence:
        fc = strip.fcurves.find("influence")
        if fc is not None:
            # Relative to the strip's start, so that a keyed fade moves with a re-baked take.
            start = strip.frame_start
            points = [tuple(kp.co) for kp in fc.keyframe_points]
            out["influence_keys"] = [(frame - start, value) for frame, value in points]
    return out


def apply_settings(strip, settings: dict) -> None:
    for name in ("scale", "repeat", *USER_SETTINGS, "extrapolation", "use_reverse"):
        if name in settings:
            try:
                setattr(strip, name, settings[name])
            except (TypeError, ValueError):  # e.g. HOLD is allowed only on a track's first strip
                pass
    keys = settings.get("influence_keys")
    if keys:
        strip.use_animated_influence = True
        fc = strip.fcurves.find("influence")
        for point in list(fc.keyframe_points):
            fc.keyframe_points.remove(point)
        for offset, value in keys:
            fc.keyframe_points.insert(strip.frame_start + offset, value)


def place_take(ad, action, slot, start: int, settings: dict | None = None, prefer=None):
    """Put a take's strip on the first take track (``prefer`` first) where it fits, else on a new
    track on top."""
    tracks = take_tracks(ad)
    if prefer is not None and prefer in list(ad.nla_tracks):
        tracks = [prefer] + [t for t in tracks if t != prefer]
    strip = None
    for track in tracks:
        try:
            strip = track.strips.new(action.name, int(start), action)
            break
        except RuntimeError:  # overlaps another strip there: try the next track up
            continue
    if strip is None:
        track = new_track(ad, TRACK_NAME)
        strip = track.strips.new(action.name, int(start), action)
    if slot is not None:
        strip.action_slot = slot
    strip.extrapolation = "NOTHING"
    strip.blend_type = "REPLACE"
    if settings:
        apply_settings(strip, settings)
    return strip


def new_track(ad, name: str):
    """A track on top, named ``name`` or ``name.001`` ... (NLA track names need not be unique)."""
    taken = {t.name for t in ad.nla_tracks}
    track = ad.nla_tracks.new()
    unique, number = name, 0
    while unique in taken:
        number += 1
        unique = f"{name}.{number:03d}"
    track.name = unique
    return track


def update_base(key) -> None:
    """(Re)build the base under the takes for the channels that need it; drop it when none do."""
    ad = key.animation_data
    if ad is None:
        return
    wanted = sorted(take_paths(ad) - user_paths(ad))
    if all(is_base_track(t) for t in ad.nla_tracks):
        wanted = []  # only an active take, no NLA to evaluate: nothing needs a base
    track = base_track(ad)
    action = track.strips[0].action if track is not None else None
    # Values from the old base first: once animated, a slider shows the evaluated value.
    old = {fc.data_path: fc.evaluate(0.0) for fc in fcurves_of(action)}
    values = {}
    for path in wanted:
        values[path] = old[path] if path in old else float(key.path_resolve(path))
    if not wanted:
        if track is not None:
            ad.nla_tracks.remove(track)
        if action is not None and action.users == 0:
            bpy.data.actions.remove(action)
        return
    if action is None:
        action = bpy.data.actions.new(fit_name("LipSync Base", key.user.name if key.user else ""))
        action[BASE_PROP] = True
    if track is not None:
        track.strips.remove(track.strips[0])
    clear_action(action)
    slot = write_curves(action, key, 0, {p: [v, v] for p, v in values.items()})
    if track is None:  # the base goes under every take track: rebuild our part of the stack
        restack(ad, base=(action, slot))
    else:
        _base_strip(track, action, slot)


def _base_strip(track, action, slot) -> None:
    strip = track.strips.new(action.name, 0, action)
    if slot is not None:
        strip.action_slot = slot
    strip.extrapolation = "HOLD"
    strip.blend_type = "REPLACE"


def restack(ad, base=None) -> None:
    """Move our tracks above every other track, base lowest, takes in their order.

    ``base``: (action, slot) for a base track that does not exist yet.
    """
    old_base = base_track(ad)
    if base is None and old_base is not None:
        strip = old_base.strips[0]
        base = (strip.action, getattr(strip, "action_slot", None))
    records = []
    for track in [t for t in ad.nla_tracks if is_take_track(t)]:
        strips = [
            (s.action, getattr(s, "action_slot", None), int(s.frame_start), s.name, _all(s))
            for s in track.strips
        ]
        records.append((track.name, track.mute, track.lock, strips))
    for track in [t for t in ad.nla_tracks if is_ours(t)]:
        ad.nla_tracks.remove(track)
    if base is not None:
        track = new_track(ad, BASE_TRACK_NAME)
        _base_strip(track, *base)
    for name, mute, lock, strips in records:
        track = ad.nla_tracks.new()
        track.name = name
        for action, slot, start, strip_name, settings in strips:
            strip = track.strips.new(strip_name, start, action)
            if slot is not None:
                strip.action_slot = slot
            apply_settings(strip, settings)
        track.mute, track.lock = mute, lock


def _all(strip) -> dict:
    return read_settings(strip, USER_SETTINGS + PLACEMENT_SETTINGS)


def push_down_active(key):
    """Move the user's active action into an NLA track under the takes (Blender's Push Down).

    Returns the new track. Its strip keeps the action's blend type, influence and extrapolation.
    """
    ad = key.animation_data
    action = ad.action if ad is not None else None
    if action is None or is_take(action):
        return None
    slot = getattr(ad, "action_slot", None)
    settings = {
        "blend_type": ad.action_blend_type,
        "influence": ad.action_influence,
        "extrapolation": ad.action_extrapolation,
    }
    start = int(action.frame_range[0])
    ad.action = None
    track = new_track(ad, action.name)
    strip = track.strips.new(action.name, start, action)
    if slot is not None:
        strip.action_slot = slot
    apply_settings(strip, settings)
    restack(ad)
    update_base(key)
    return track
