"""Constants shared by the whole engine; derived values are computed from the base ones."""

from __future__ import annotations

#: Sample rate the NeuroSync feature extractor works at (``librosa.load(..., sr=88200)``).
SAMPLE_RATE = 88200
#: Analysis frame length, exactly as the reference computes it: ``int(0.01667 * sr)`` = 1470.
FRAME_LENGTH = int(0.01667 * SAMPLE_RATE)
#: Hop between analysis frames (120 per second); adjacent pairs are averaged to 60 fps.
HOP_LENGTH = FRAME_LENGTH // 2
#: Output frame rate of every NeuroSync model.
MODEL_FPS = 60
#: Time of model frame i is i / MODEL_FPS + FRAME_TIME_OFFSET: the centre of the two 120 fps
#: analysis frames averaged into it (see :func:`model_frame_times`).
FRAME_TIME_OFFSET = 0.25 / MODEL_FPS
#: Deltas need at least this many analysis frames.
MIN_ANALYSIS_FRAMES = 9
#: Audio sample rates accepted at the input.
MIN_INPUT_RATE = 8000
MAX_INPUT_RATE = 192000
#: Largest absolute sample value accepted (full scale is 1). Float audio a few times over full
#: scale is usable; one peaking over a thousand times is broken (and 1e30 overflows the spectra).
MAX_SAMPLE_PEAK = 1000.0

FAMILY_V01A = "v01a"
FAMILY_V2025 = "v2025"
FAMILIES = (FAMILY_V01A, FAMILY_V2025)

#: The 61 LiveLink Face channels, in LiveLink order (the model's output order).
BLENDSHAPE_NAMES: tuple[str, ...] = (
    "EyeBlinkLeft", "EyeLookDownLeft", "EyeLookInLeft", "EyeLookOutLeft", "EyeLookUpLeft",
    "EyeSquintLeft", "EyeWideLeft",
    "EyeBlinkRight", "EyeLookDownRight", "EyeLookInRight", "EyeLookOutRight", "EyeLookUpRight",
    "EyeSquintRight", "EyeWideRight",
    "JawForward", "JawRight", "JawLeft", "JawOpen",
    "MouthClose", "MouthFunnel", "MouthPucker", "MouthRight", "MouthLeft",
    "MouthSmileLeft", "MouthSmileRight", "MouthFrownLeft", "MouthFrownRight",
    "MouthDimpleLeft", "MouthDimpleRight", "MouthStretchLeft", "MouthStretchRight",
    "MouthRollLower", "MouthRollUpper", "MouthShrugLower", "MouthShrugUpper",
    "MouthPressLeft", "MouthPressRight", "MouthLowerDownLeft", "MouthLowerDownRight",
    "MouthUpperUpLeft", "MouthUpperUpRight",
    "BrowDownLeft", "BrowDownRight", "BrowInnerUp", "BrowOuterUpLeft", "BrowOuterUpRight",
    "CheekPuff", "CheekSquintLeft", "CheekSquintRight", "NoseSneerLeft", "NoseSneerRight",
    "TongueOut",
    "HeadYaw", "HeadPitch", "HeadRoll",
    "LeftEyeYaw", "LeftEyePitch", "LeftEyeRoll", "RightEyeYaw", "RightEyePitch", "RightEyeRoll",
)  # fmt: skip

#: The 7 emotion outputs that follow the blendshapes (alphabetical, as NeuroSync writes them).
EMOTION_NAMES: tuple[str, ...] = (
    "Angry", "Disgusted", "Fearful", "Happy", "Neutral", "Sad", "Surprised",
)  # fmt: skip

NUM_BLENDSHAPES = len(BLENDSHAPE_NAMES)  # 61
NUM_EMOTIONS = len(EMOTION_NAMES)  # 7
NUM_OUTPUTS = NUM_BLENDSHAPES + NUM_EMOTIONS  # 68
#: The first 51 channels drive the face (eyes, jaw, mouth, brows, cheeks, nose).
NUM_FACE_CHANNELS = 51
#: The 52 ARKit shape keys: the 51 face channels plus TongueOut.
NUM_ARKIT_CHANNELS = 52
#: Channels 52-61 (1-based): TongueOut and the head and eye rotations; kept but marked.
MARKED_CHANNELS: tuple[str, ...] = BLENDSHAPE_NAMES[NUM_FACE_CHANNELS:]

#: Columns the 2025 publishing code zeroes (blinks, eye looks, and channels 52-61).
REFERENCE_ZEROED_COLUMNS: tuple[int, ...] = (0, 1, 2, 3, 4, 7, 8, 9, 10, 11, *range(51, 61))

#: ARKit camelCase name of each LiveLink channel (first letter lowered).
ARKIT_NAMES: tuple[str, ...] = tuple(n[0].lower() + n[1:] for n in BLENDSHAPE_NAMES)


def model_frame_times(count: int):
    """Audio time in seconds of model frames 0..count-1, shape (count,): (i + 0.25) / 60."""
    import numpy as np  # lazily: this module is read at Blender's register time

    return np.arange(count) / MODEL_FPS + FRAME_TIME_OFFSET
