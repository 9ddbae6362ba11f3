"""Every identifier Blender sees, in one place."""

from __future__ import annotations

#: The extension's package (``bl_ext.user_default.neurosync_lipsync`` when installed); also the
#: AddonPreferences ``bl_idname``.
ADDON_PACKAGE = __package__
EXTENSION_ID = "neurosync_lipsync"

OT_GENERATE = "lipsync.generate"
OT_CANCEL = "lipsync.cancel"
OT_TAKE_SELECT = "lipsync.take_select"
OT_TAKE_MUTE = "lipsync.take_mute"
OT_TAKE_REBAKE = "lipsync.take_rebake"
OT_TAKE_REMOVE = "lipsync.take_remove"
OT_PUSH_DOWN = "lipsync.push_down_action"
OT_BAKE_EXPORT = "lipsync.bake_for_export"
OT_IMPORT_CSV = "lipsync.import_csv"

PT_MAIN = "LIPSYNC_PT_main"
PT_OPTIONS = "LIPSYNC_PT_options"
PT_MAPPING = "LIPSYNC_PT_mapping"
PT_TAKES = "LIPSYNC_PT_takes"
PT_SECONDARY = "LIPSYNC_PT_secondary"
PANEL_CATEGORY = "Lip Sync"

#: Scene.<SCENE_PROP>: settings saved with the .blend; WindowManager.<WM_PROP>: run state.
SCENE_PROP = "lipsync"
WM_PROP = "lipsync_run"

#: Custom property on a take's action: the take's identity (its sound strip's STRIP_UID_PROP).
#: A take sits on one Key (its NLA or active action), so the object is the Key's user.
TAKE_PROP = "lipsync_take"
#: Custom property on a take's action: its (first, last) keyed frame.
FRAMES_PROP = "lipsync_frames"
#: Custom property on a head object's take action: its rest rotation (w, x, y, z) at the first bake.
REST_PROP = "lipsync_rest"
#: Custom property on a sound strip: a uuid that survives renames of the strip.
STRIP_UID_PROP = "lipsync_uid"
#: Custom property on the base action (the Key's rest values under the takes).
BASE_PROP = "lipsync_base"
#: Custom property on a merged "Bake for Export" action.
EXPORT_PROP = "lipsync_export"
#: Name given to new take tracks (Blender may add .001); tracks are recognised by their strips.
TRACK_NAME = "LipSync"
BASE_TRACK_NAME = "LipSync Base"

CLI_COMMAND = "lipsync"
