"""Every identifier Blender sees, in one place."""

from __future__ import annotations

#: The extension's package (``bl_ext.user_default.neurosync_lipsync`` when installed); also the
#: AddonPreferences ``bl_idname``.
ADDON_PACKAGE = __package__.rsplit(".", 1)[0]
EXTENSION_ID = "neurosync_lipsync"

OT_GENERATE = "lipsync.generate"
OT_CANCEL = "lipsync.cancel"
OT_IMPORT_CSV = "lipsync.import_csv"

PT_MAIN = "LIPSYNC_PT_main"
PT_OPTIONS = "LIPSYNC_PT_options"
PT_MAPPING = "LIPSYNC_PT_mapping"
PANEL_CATEGORY = "Lip Sync"

#: Scene.<SCENE_PROP>: settings saved with the .blend; WindowManager.<WM_PROP>: run state.
SCENE_PROP = "lipsync"
WM_PROP = "lipsync_run"

#: Custom property on a take's action: which (strip, object) it belongs to.
TAKE_PROP = "lipsync_take"
#: NLA track that holds the takes of one object (overlapping takes go on numbered tracks above).
TRACK_NAME = "LipSync"

CLI_COMMAND = "lipsync"

#: Blender's frame limits (MINAFRAME, MAXFRAME): where a take may start.
FRAME_RANGE = (-1048574, 1048574)
