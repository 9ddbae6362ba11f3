"""LIPSYNC_OT_generate: bake the chosen sound strip onto the chosen face.

``execute`` is the synchronous path (background mode and scripts land here, even with
INVOKE_DEFAULT); ``invoke`` runs the same work in a :class:`~..blender.job.BakeJob` polled by a
modal timer, so Blender stays responsive. Either way Blender is written once, at the end, as one
undo step; a cancelled or failed run writes nothing.
"""

from __future__ import annotations

import bpy
from bpy.props import StringProperty

from ..blender import job as jobs
from ..blender.bake import apply, bake, gather, strip_scene
from ..blender.settings import bake_inputs
from ..core.errors import REPORTED
from ..ids import OT_GENERATE, WM_PROP


class LIPSYNC_OT_generate(bpy.types.Operator):
    """Generate lip-sync shape-key animation from a sound strip"""

    bl_idname = OT_GENERATE
    bl_label = "Generate Lip Sync"
    bl_options = {"REGISTER", "UNDO"}

    strip: StringProperty(
        name="Strip", description="Sound strip (default: the panel's)", options={"SKIP_SAVE"}
    )
    object: StringProperty(
        name="Object", description="Face mesh (default: the panel's)", options={"SKIP_SAVE"}
    )
    model: StringProperty(
        name="Model",
        description="Checkpoint path for scripts (default: the scene's choice)",
        options={"HIDDEN", "SKIP_SAVE"},
    )

    @classmethod
    def poll(cls, context):
        run = getattr(context.window_manager, WM_PROP, None)
        return run is not None and not run.running

    def execute(self, context):
        try:
            strip, obj, settings = bake_inputs(context, self.strip, self.object, self.model)
            action, request = bake(strip_scene(context), strip, obj, settings)
        except REPORTED as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return {"CANCELLED"}
        for warning in request.warnings:
            self.report({"WARNING"}, warning)
        self.report({"INFO"}, f"Lip sync: wrote '{action.name}'")
        return {"FINISHED"}

    def invoke(self, context, event):
        try:
            strip, obj, settings = bake_inputs(context, self.strip, self.object, self.model)
            request = gather(strip_scene(context), strip, obj, settings)
        except REPORTED as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return {"CANCELLED"}
        self._job = jobs.BakeJob(request)
        jobs.current = self._job
        run = getattr(context.window_manager, WM_PROP)
        run.running, run.progress, run.stage, run.message = True, 0.0, "Starting", ""
        self._job.start()
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type == "ESC" and event.value == "PRESS":
            self._job.cancel()
            return {"RUNNING_MODAL"}
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        run = getattr(context.window_manager, WM_PROP)
        for kind, *payload in self._job.poll():
            if kind == "progress":
                run.progress, run.stage = payload
            elif kind == "done":
                return self._finish(context, payload[0])
            elif kind == "cancelled":
                self.report({"INFO"}, "Lip sync cancelled; nothing was changed")
                return self._stop(context, {"CANCELLED"})
            elif kind == "error":
                self.report({"ERROR"}, f"Lip sync: {payload[0]}")
                return self._stop(context, {"CANCELLED"})
        _redraw(context)
        return {"PASS_THROUGH"}

    def _finish(self, context, curves):
        if self._job.cancel_event.is_set():
            self.report({"INFO"}, "Lip sync cancelled; nothing was changed")
            return self._stop(context, {"CANCELLED"})
        try:
            action = apply(self._job.request, curves)
        except REPORTED as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return self._stop(context, {"CANCELLED"})
        for warning in self._job.request.warnings:
            self.report({"WARNING"}, warning)
        self.report({"INFO"}, f"Lip sync: wrote '{action.name}'")
        return self._stop(context, {"FINISHED"})

    def _stop(self, context, result):
        context.window_manager.event_timer_remove(self._timer)
        run = getattr(context.window_manager, WM_PROP)
        run.running, run.progress, run.stage = False, 0.0, ""
        if jobs.current is self._job:
            jobs.current = None
        _redraw(context)
        return result

    def cancel(self, context):  # Blender closing the window or file
        self._job.cancel()
        self._stop(context, {"CANCELLED"})


def _redraw(context) -> None:
    for window in context.window_manager.windows:
        for area in window.screen.areas:
            if area.type in ("VIEW_3D", "STATUSBAR"):
                area.tag_redraw()


classes = (LIPSYNC_OT_generate,)

register, unregister = bpy.utils.register_classes_factory(classes)
