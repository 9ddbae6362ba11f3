"""The one synchronous bake path: gather (main thread), compute (any thread), apply (main).

The headless CLI, ``LIPSYNC_OT_generate.execute`` and the modal job all use these three steps;
only :func:`compute` may run in a worker, and it never touches bpy: it gets a
:class:`BakeRequest` of plain data and returns plain arrays.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..core.constants import NUM_BLENDSHAPES
from ..core.errors import BakeError
from ..core.naming import AUTO, CHANNELS, map_names
from ..core.postprocess import ProductOptions
from ..ids import STRIP_UID_PROP, TAKE_PROP
from .actions import shape_key_path
from .layers import conflicts
from .takes import (
    active_action_warning,
    editable_key,
    enabled_targets,
    key_problem,
    stamp_take,
    strip_uid,
)
from .timing import FramePlan, StripTiming, plan_frames, strip_timing

if TYPE_CHECKING:
    import bpy
    import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RigTargets:
    """Bones that take the bake's head and eye rotations (:mod:`.bone_takes`); "" for none."""

    armature: str
    head_bone: str = ""
    left_eye_bone: str = ""
    right_eye_bone: str = ""


@dataclass(frozen=True)
class BakeSettings:
    """What the user chose: from the scene's settings or the CLI's arguments.

    ``product`` holds the engine's knobs (emotion, region gains, smoothing, directed emotion,
    secondary motion), checked once by :class:`~..core.postprocess.ProductOptions`; its timing
    (fps, start_time, duration) is each strip's, set by :func:`compute`. The rest is Blender's.
    """

    product: ProductOptions = field(default_factory=ProductOptions)
    mode: str = "NLA"
    preset: str = AUTO
    model_path: str | None = None
    backend: str = "numpy"  # or "torch" (optional install; device applies to it only)
    device: str = "cpu"
    channels: str = "ALL"  # or "MOUTH": see takes.SCOPES
    rig: RigTargets | None = None  # head and eye bones, or None: no rotation keys
    head_object: str = ""  # object keyed with the head rotation ("" none; a head bone wins)


@dataclass(frozen=True)
class BakeRequest:
    """Everything :func:`compute` and :func:`apply` need, as plain data."""

    strip_name: str
    object_name: str
    audio: str | bytes  # path, or the bytes of a packed sound
    audio_label: str
    timing: StripTiming
    targets: tuple[tuple[int, str], ...]  # ((channel index, shape-key name), ...)
    preset: str
    settings: BakeSettings
    warnings: tuple[str, ...] = ()
    strip_uid: str = ""
    scene_name: str = ""

    @property
    def take_id(self) -> str:
        """The strip's uid: the take follows the strip and the Key through renames."""
        return self.strip_uid or f"{self.strip_name}\x1f{self.object_name}"

    @property
    def action_name(self) -> str:
        from .takes import take_name

        return take_name(self.strip_name, self.object_name)


@dataclass(frozen=True)
class BakeCurves:
    plan: FramePlan
    values: np.ndarray  # (count, 52) float32, ARKit channels in LiveLink order
    #: (count, 9) float32 radians: HeadYaw/Pitch/Roll, Left/RightEye Yaw/Pitch/Roll.
    motion: np.ndarray | None = None


def strip_scene(context):
    """The scene whose sequencer holds the sound strips: 5.0+ may edit another scene's."""
    return getattr(context, "sequencer_scene", None) or context.scene


def sound_strips(scene) -> list:
    """Every sound strip of the scene, meta-strip children included (4.2 and 4.4+ APIs)."""
    sed = scene.sequence_editor
    if sed is None:
        return []
    strips = getattr(sed, "strips_all", None)
    if strips is None:
        strips = sed.sequences_all
    return [s for s in strips if s.type == "SOUND"]


def shape_key_names(obj) -> list[str]:
    key = getattr(obj.data, "shape_keys", None) if obj is not None else None
    if key is None:
        return []
    return [kb.name for kb in key.key_blocks if kb != key.reference_key]


def gather(scene, strip_name: str, object_name: str, settings: BakeSettings) -> BakeRequest:
    """Read the strip, object and timing from the scene (main thread only)."""
    import bpy

    strip = next((s for s in sound_strips(scene) if s.name == strip_name), None)
    if strip is None:
        raise BakeError(f"no sound strip named '{strip_name}' in scene '{scene.name}'")
    obj = bpy.data.objects.get(object_name)
    if obj is None or obj.type != "MESH":
        raise BakeError(f"no mesh object named '{object_name}'")
    names = shape_key_names(obj)
    if not names:
        raise BakeError(f"mesh '{object_name}' has no shape keys")
    problem, _ = key_problem(obj)
    if problem:
        raise BakeError(problem)
    if settings.rig is not None:
        from .bone_takes import check_rig

        check_rig(settings.rig)
    if settings.head_object:
        from .object_takes import check_head_object

        check_head_object(settings.head_object)
        if settings.rig is not None and settings.rig.armature == settings.head_object:
            raise BakeError(f"head object '{settings.head_object}' is the eye bones' armature; "
                            "choose its head bone instead")  # fmt: skip
    mapping = map_names(names, settings.preset)
    if mapping.matched_count == 0:
        raise BakeError(
            f"none of the shape keys of '{object_name}' match an ARKit name "
            f"(preset {mapping.preset})"
        )
    targets = enabled_targets(mapping.pairs(), settings.product.region_gains, settings.channels)
    if not targets:
        raise BakeError(f"no channel of '{object_name}' is enabled (every region's gain is 0)")
    sound = strip.sound
    if sound is None:
        raise BakeError(f"sound strip '{strip_name}' has no sound")
    if sound.packed_file is not None:
        audio, label = bytes(sound.packed_file.data), f"{sound.name} (packed)"
    else:
        audio = os.path.normpath(bpy.path.abspath(sound.filepath, library=sound.library))
        label = audio
    warnings = []
    hidden = conflicts(obj.data.shape_keys, {shape_key_path(name) for _, name in targets})
    if hidden:
        warnings.append(active_action_warning(obj, hidden))
    if strip.mute:
        warnings.append(f"sound strip '{strip_name}' is muted; baking it anyway")
    if len(getattr(strip, "retiming_keys", ())) > 0:
        warnings.append(f"strip '{strip_name}' is retimed; keys follow the audio at normal speed")
    if mapping.unmatched:
        warnings.append(
            f"{object_name}: {len(mapping.unmatched)} channels unmatched "
            f"({', '.join(mapping.unmatched)})"
        )
    render = scene.render
    timing = strip_timing(strip, render.fps / render.fps_base)
    return BakeRequest(
        strip_name,
        object_name,
        audio,
        label,
        timing,
        targets,
        mapping.preset,
        settings,
        tuple(warnings),
        strip_uid(strip, sound_strips(scene)),
        scene.name,
    )


_MODELS: dict = {}
_MODELS_LOCK = threading.Lock()


def load_model(path: str | None, backend: str = "numpy", device: str = "cpu"):
    """Load (once per file version and backend) a checkpoint; None is the default model."""
    from ..core.checkpoint import default_model_path, load_checkpoint

    resolved = os.path.abspath(path) if path else str(default_model_path())
    try:
        stamp = os.stat(resolved).st_mtime_ns
    except OSError:
        stamp = None  # let the loader say what is wrong
    with _MODELS_LOCK:
        key = (resolved, stamp, backend, device)
        if key not in _MODELS:
            _MODELS.clear()
            _MODELS[key] = load_checkpoint(resolved, backend=backend, device=device)
        return _MODELS[key]


def read_source(request: BakeRequest):
    """The strip's audio; formats soundfile cannot read (AAC/M4A ...) go through Blender's aud."""
    from ..core.audio import read_audio
    from ..core.errors import NotAudioError

    try:
        return read_audio(request.audio, name=request.audio_label)
    except NotAudioError:
        try:
            import aud  # Blender's own decoder (ffmpeg); absent outside Blender
        except ImportError:
            raise NotAudioError(f"{request.audio_label}: not a format soundfile reads") from None
    if isinstance(request.audio, str):
        return _read_with_aud(aud, request.audio, request.audio_label)
    # aud reads files only: a packed sound goes through a temporary copy.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lipsync-") as folder:
        path = os.path.join(folder, "packed_sound")
        with open(path, "wb") as fh:
            fh.write(request.audio)
        return _read_with_aud(aud, path, request.audio_label)


def _read_with_aud(aud, path: str, label: str):
    from ..core.audio import read_audio
    from ..core.errors import NotAudioError

    try:
        # cache() decodes everything and raises aud.error on a bad file; data() straight on an
        # unreadable file aborts the whole process instead (a C++ exception nobody catches).
        sound = aud.Sound(path).cache()
        data = sound.rechannel(1).data()
    except aud.error as exc:
        raise NotAudioError(f"{label}: neither soundfile nor Blender can read it ({exc})") from None
    return read_audio(data[:, 0], rate=int(sound.specs[0]), name=label)


def compute(request: BakeRequest, *, progress=None, cancel=None, threads=None) -> BakeCurves:
    """Run the engine for the strip's audible frames. No bpy: safe in a worker thread."""
    from ..core.pipeline import generate

    report = progress or (lambda fraction, stage: None)
    report(0.0, "reading audio")
    audio = read_source(request)
    plan = plan_frames(request.timing, audio.duration)
    if plan.count == 0:
        raise BakeError(f"strip '{request.strip_name}' plays none of its audio")
    s = request.settings
    options = replace(s.product, fps=plan.fps, start_time=plan.start_time, duration=plan.duration)
    report(0.01, "loading model")
    model = load_model(s.model_path, s.backend, s.device)
    result = generate(
        audio, model=model, options=options, threads=threads, progress=report, cancel=cancel
    )
    values = result.values[: plan.count, :NUM_BLENDSHAPES]
    if len(values) < plan.count:  # float rounding at the very end: hold the last row
        import numpy as np

        pad = np.repeat(values[-1:], plan.count - len(values), axis=0)
        values = np.concatenate([values, pad])
    return BakeCurves(plan, values[:, : len(CHANNELS)], values[:, len(CHANNELS) :])


def apply(request: BakeRequest, curves: BakeCurves) -> bpy.types.Action:
    """Write the take (main thread only). Returns the action."""
    import bpy

    from .keying import find_take, write_take

    obj = bpy.data.objects.get(request.object_name)
    if obj is None or obj.type != "MESH" or obj.data.shape_keys is None:
        raise BakeError(f"mesh '{request.object_name}' or its shape keys are gone")
    key = editable_key(obj)
    if request.strip_uid and find_take(key, request.take_id).action is None:
        # A take from before strips had uids (id "strip<US>object"): adopt it, do not stack.
        old = find_take(key, f"{request.strip_name}\x1f{request.object_name}").action
        if old is not None:
            old[TAKE_PROP] = request.take_id
    columns = {}
    for channel, name in request.targets:
        if name in key.key_blocks and name not in columns:
            columns[name] = curves.values[:, channel]
    action = write_take(
        key,
        request.take_id,
        request.action_name,
        curves.plan.first_frame,
        columns,
        mode=request.settings.mode,
    )
    stamp_take(action, request.strip_name, request.object_name, request.settings.model_path)
    scene = bpy.data.scenes.get(request.scene_name)
    strips = sound_strips(scene) if scene is not None else []
    strip = next((s for s in strips if s.name == request.strip_name), None)
    if strip is not None and request.strip_uid and strip.get(STRIP_UID_PROP) != request.strip_uid:
        strip[STRIP_UID_PROP] = request.strip_uid
    if request.settings.rig is not None and curves.motion is not None:
        from .bone_takes import apply_rig

        first = curves.plan.first_frame
        apply_rig(request.settings.rig, request.take_id, request.strip_name, first, curves.motion)
    if request.settings.head_object and curves.motion is not None:
        from .bone_takes import MOTION_COLUMNS
        from .object_takes import apply_head_object

        head = curves.motion[:, MOTION_COLUMNS["head"]]
        first = curves.plan.first_frame
        apply_head_object(request.settings.head_object, request.take_id, request.strip_name, first,
                          head)  # fmt: skip
    assert action[TAKE_PROP] == request.take_id
    return action


def bake(
    scene,
    strip_name: str,
    object_name: str,
    settings: BakeSettings,
    *,
    progress=None,
    cancel=None,
    threads=None,
) -> tuple[bpy.types.Action, BakeRequest]:
    """gather + compute + apply, synchronously. Returns (action, request)."""
    request = gather(scene, strip_name, object_name, settings)
    curves = compute(request, progress=progress, cancel=cancel, threads=threads)
    if cancel is not None and cancel.is_set():
        from ..core.errors import CancelledError

        raise CancelledError("cancelled")
    return apply(request, curves), request
