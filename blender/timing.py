"""Which scene frames a sound strip's audio covers (pure Python, no bpy).

Audio second ``t`` of a strip plays at frame ``frame_start + (t + sound_offset) * fps`` with
``fps = render.fps / render.fps_base``; the strip is audible on ``[frame_final_start,
frame_final_end)``. Keys go on the integer frames that are both audible and inside the audio.

Blender 5.1 renamed these properties (``frame_start`` -> ``content_start``, ``frame_final_start``
-> ``left_handle``, ``frame_final_end`` -> ``right_handle``) and warns on the old names, which go
in 6.0; :func:`strip_timing` reads whichever the running Blender has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_EPS = 1e-6


@dataclass(frozen=True)
class StripTiming:
    """A sound strip's placement, read from Blender as plain numbers."""

    frame_start: float
    frame_final_start: float
    frame_final_end: float
    sound_offset: float
    fps: float

    def audio_time(self, frame: float) -> float:
        """Audio second heard at scene ``frame``."""
        return (frame - self.frame_start) / self.fps - self.sound_offset

    def frame_of(self, seconds: float) -> float:
        """Scene frame at which audio second ``seconds`` plays."""
        return self.frame_start + (seconds + self.sound_offset) * self.fps


#: (StripTiming field, the 5.1+ property, the 4.x-5.0 property)
_STRIP_PROPERTIES = (
    ("frame_start", "content_start", "frame_start"),
    ("frame_final_start", "left_handle", "frame_final_start"),
    ("frame_final_end", "right_handle", "frame_final_end"),
)


def strip_timing(strip, fps: float) -> StripTiming:
    """A sound strip's timing, read through the property names of the running Blender."""
    values = {
        field: float(getattr(strip, new if hasattr(strip, new) else old))
        for field, new, old in _STRIP_PROPERTIES
    }
    return StripTiming(**values, sound_offset=float(getattr(strip, "sound_offset", 0.0)), fps=fps)


@dataclass(frozen=True)
class FramePlan:
    """Frames ``first_frame ...`` (``count`` of them); row k is audio ``start_time + k / fps``."""

    first_frame: int
    count: int
    start_time: float
    fps: float

    @property
    def last_frame(self) -> int:
        return self.first_frame + self.count - 1

    @property
    def duration(self) -> float:
        return (self.count - 1) / self.fps


def plan_frames(timing: StripTiming, audio_duration: float) -> FramePlan:
    """Frames to key for a strip whose audio lasts ``audio_duration`` seconds.

    ``count`` is 0 when nothing of the audio is audible.
    """
    first = max(math.ceil(timing.frame_final_start - _EPS), math.ceil(timing.frame_of(0.0) - _EPS))
    last_audible = math.ceil(timing.frame_final_end - _EPS) - 1
    last = min(last_audible, math.floor(timing.frame_of(audio_duration) + _EPS))
    count = max(0, last - first + 1)
    return FramePlan(int(first), int(count), timing.audio_time(first), timing.fps)
