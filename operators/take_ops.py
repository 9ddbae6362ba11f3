"""The take manager's operators: select, mute, re-bake, remove a take; push the active action
down under the takes; bake the takes for export."""

from __future__ import annotations

import bpy
from bpy.props import StringProperty

from ..blender.bake import sound_strips, strip_scene
from ..blender.keying import find_take, remove_take
from ..blender.layers import push_down_active
from ..blender.settings import face_named
from ..blender.takes import list_takes
from ..core.errors import REPORTED, BakeError
from ..ids import (
    OT_BAKE_EXPORT,
    OT_GENERATE,
    OT_PUSH_DOWN,
    OT_TAKE_MUTE,
    OT_TAKE_REBAKE,
    OT_TAKE_REMOVE,
    OT_TAKE_SELECT,
    SCENE_PROP,
    STRIP_UID_PROP,
)


def _face(op, context):
    """The operator's object, else the panel's face (else the active object with shape keys)."""
    obj = face_named(context, op.object)
    if obj is None:
        raise BakeError(f"no face mesh with shape keys named '{op.object}'")
    return obj


class _TakeOp:
    bl_options = {"REGISTER", "UNDO"}

    object: StringProperty(name="Object", description="Face mesh", options={"SKIP_SAVE"})
    take: StringProperty(name="Take", description="Identity of the take", options={"SKIP_SAVE"})

    def execute(self, context):
        try:
            obj = _face(self, context)
            track, strip, action = find_take(obj.data.shape_keys, self.take)
            if action is None:
                raise BakeError(f"'{obj.name}' has no take '{self.take}'")
            return self.act(context, obj, track, strip, action)
        except REPORTED as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return {"CANCELLED"}


class LIPSYNC_OT_take_select(_TakeOp, bpy.types.Operator):
    """Select the take's NLA strip and its face, and go to the take's first frame"""

    bl_idname = OT_TAKE_SELECT
    bl_label = "Select Take"

    def act(self, context, obj, track, strip, action):
        for other in obj.data.shape_keys.animation_data.nla_tracks:
            for s in other.strips:
                s.select = s == strip
        if obj.name in context.view_layer.objects:
            obj.select_set(True)
            context.view_layer.objects.active = obj
        start = strip.frame_start if strip is not None else action.frame_range[0]
        context.scene.frame_set(int(start))
        return {"FINISHED"}


class LIPSYNC_OT_take_mute(_TakeOp, bpy.types.Operator):
    """Mute or unmute the take's NLA strip"""

    bl_idname = OT_TAKE_MUTE
    bl_label = "Mute Take"

    def act(self, context, obj, track, strip, action):
        if strip is None:
            raise BakeError(f"'{action.name}' is the active action, not an NLA strip")
        strip.mute = not strip.mute
        return {"FINISHED"}


class LIPSYNC_OT_take_remove(_TakeOp, bpy.types.Operator):
    """Delete the take (its strip and action); the face's other animation stays"""

    bl_idname = OT_TAKE_REMOVE
    bl_label = "Remove Take"

    def act(self, context, obj, track, strip, action):
        name = action.name
        remove_take(obj.data.shape_keys, self.take)
        for other in bpy.data.objects:  # the take's head and eye rotation (same identity)
            if other.animation_data is not None and other.is_editable:
                remove_take(other, self.take)
        self.report({"INFO"}, f"Lip sync: removed '{name}'")
        return {"FINISHED"}


class LIPSYNC_OT_take_rebake(_TakeOp, bpy.types.Operator):
    """Bake the take again from its sound strip with the current settings (NLA settings stay)"""

    bl_idname = OT_TAKE_REBAKE
    bl_label = "Re-bake Take"

    def act(self, context, obj, track, strip, action):
        found = [
            s for s in sound_strips(strip_scene(context)) if s.get(STRIP_UID_PROP) == self.take
        ]
        if not found:
            raise BakeError(
                f"the sound strip of '{action.name}' is not in scene '{context.scene.name}'"
            )
        mode = "INVOKE_DEFAULT" if not bpy.app.background else "EXEC_DEFAULT"
        op = getattr(bpy.ops.lipsync, OT_GENERATE.split(".")[1])
        return op(mode, strip=found[0].name, object=obj.name)


class LIPSYNC_OT_push_down_action(bpy.types.Operator):
    """Move the shape keys' active action into an NLA track under the lip-sync takes, so that
    the takes blend over it instead of being hidden by it"""

    bl_idname = OT_PUSH_DOWN
    bl_label = "Push Down Action"
    bl_options = {"REGISTER", "UNDO"}

    object: StringProperty(name="Object", description="Face mesh", options={"SKIP_SAVE"})

    def execute(self, context):
        try:
            obj = _face(self, context)
        except REPORTED as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return {"CANCELLED"}
        track = push_down_active(obj.data.shape_keys)
        if track is None:
            self.report({"ERROR"}, f"Lip sync: '{obj.name}' has no user action to push down")
            return {"CANCELLED"}
        self.report({"INFO"}, f"Lip sync: pushed the action down to track '{track.name}'")
        return {"FINISHED"}


class LIPSYNC_OT_bake_for_export(bpy.types.Operator):
    """Merge the face's unmuted takes, with what lies beneath them, into one action on the shape
    keys (its active action), ready for the glTF and FBX exporters"""

    bl_idname = OT_BAKE_EXPORT
    bl_label = "Bake for Export"
    bl_options = {"REGISTER", "UNDO"}

    object: StringProperty(name="Object", description="Face mesh", options={"SKIP_SAVE"})

    def execute(self, context):
        from ..blender.export import merge_takes

        try:
            obj = _face(self, context)
            takes = [t.take_id for t in list_takes(obj.data.shape_keys) if not t.muted]
            settings = getattr(context.scene, SCENE_PROP)
            head = (settings.head_armature, settings.head_bone) if _head(settings) else None
            result = merge_takes(obj, takes, head=head, scene=context.scene)
        except REPORTED as exc:
            self.report({"ERROR"}, f"Lip sync: {exc}")
            return {"CANCELLED"}
        if result.replaced_action:
            self.report(
                {"WARNING"},
                f"Lip sync: '{result.replaced_action}' was the active action; it is kept "
                "(fake user) and can be assigned back",
            )
        self.report(
            {"INFO"},
            f"Lip sync: '{result.action.name}' holds {len(result.paths)} shape keys, frames "
            f"{result.frame_start}-{result.frame_end}",
        )
        return {"FINISHED"}


def _head(settings) -> bool:
    arm = getattr(settings, "head_armature", None)
    return arm is not None and bool(getattr(settings, "head_bone", ""))


classes = (
    LIPSYNC_OT_take_select,
    LIPSYNC_OT_take_mute,
    LIPSYNC_OT_take_remove,
    LIPSYNC_OT_take_rebake,
    LIPSYNC_OT_push_down_action,
    LIPSYNC_OT_bake_for_export,
)

register, unregister = bpy.utils.register_classes_factory(classes)
