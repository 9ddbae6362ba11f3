"""LIPSYNC_OT_cancel: stop the running background bake (the same as ESC)."""

from __future__ import annotations

import bpy

from ..blender import job as jobs
from ..ids import OT_CANCEL


class LIPSYNC_OT_cancel(bpy.types.Operator):
    """Stop the running lip-sync bake; nothing is written"""

    bl_idname = OT_CANCEL
    bl_label = "Cancel Lip Sync"

    @classmethod
    def poll(cls, context):
        return jobs.current is not None

    def execute(self, context):
        jobs.current.cancel()
        return {"FINISHED"}


classes = (LIPSYNC_OT_cancel,)

register, unregister = bpy.utils.register_classes_factory(classes)
