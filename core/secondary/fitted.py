"""Numbers the secondary-motion layer draws from, with where each comes from.

Source of every "fitted" number: ten iPhone ARKit LiveLink Face takes (5.5 min, one actor acting
angry, fearful, happy and sad) from the ``livelink/animations/`` folder of AnimaVR/NeuroSync_Player,
commit f31b8fad (May 2025; MIT licence for individuals and businesses under USD 1M revenue a
year). Measured with ``training/capture_stats.py``; only these statistics are shipped, never the
takes. Distributions are stated as their 10th/50th/90th percentiles and sampled through that
piecewise-linear inverse CDF (:func:`core.secondary.shapes.sample_quantiles`).

The takes hold no head rotation (HeadYaw/Pitch/Roll are 0 in all ten: calibrated takes), so the
head numbers are design values from the visual-prosody literature (Graf et al. 2002, Busso et al.
2007: a few degrees of rotation during speech, nods of 1-3 degrees on stressed words) and say so.
Rotation channels are in radians, like the capture's eye rotation columns.
"""

from __future__ import annotations

# --- blinks (fitted, all takes: 123 blinks) ---------------------------------------------------
#: Capture rate over the four acted emotions: 22.5/min (median of the groups 25.3/min). Acted
#: emotion raises it; the neutral base is set lower, between that and the ~12/min the issue quotes
#: for a calm speaker (design value).
BLINK_RATE_PER_MIN = 18.0
#: Closure: time above half the blink's own peak, seconds (p10, p50, p90). Each blink's length
#: is drawn from this; its shape keeps the median proportions below.
BLINK_CLOSURE_S = (0.078, 0.102, 0.173)
#: Medians: 10 -> 90 % of the amplitude (closing), above 90 % (hold), 90 -> 10 % (opening).
#: (Their p90s, 0.212 / 0.060 / 0.416 s, come from slow partial blinks whose 10 % points drift
#: with the resting lid; the closure above is the robust length.)
BLINK_CLOSING_S = 0.052
BLINK_HOLD_S = 0.036
BLINK_OPENING_S = 0.109
#: Peak depth divided by the capture's p90 (0.862, a full closure as the iPhone reads it).
BLINK_DEPTH = (0.43, 0.75, 1.0)
#: Left/right peak asymmetry (median |L-R|/mean is 0.0034) and timing offset (|dt| p90 1.8 ms):
#: ARKit blinks are close to symmetric; these are the normal sigmas that reproduce those figures.
BLINK_ASYMMETRY_SIGMA = 0.005
BLINK_OFFSET_SIGMA_S = 0.0011
#: Design: no two blinks closer than this; intervals are gamma(4)-distributed (steadier than
#: Poisson, as real blinking is), more likely in pauses and at phrase starts.
BLINK_REFRACTORY_S = 0.6
BLINK_PAUSE_BOOST = 2.0
BLINK_PHRASE_START_BOOST = 1.5

# --- gaze (fitted; eye rotations averaged over both eyes, L/R yaw correlation 0.98-0.999) -------
#: Saccade amplitude in radians (p10, p50, p90), from fixation to fixation.
SACCADE_SIZE_RAD = (0.031, 0.132, 0.344)
#: Saccade duration at the median size, seconds (larger ones take longer, as sqrt of the size).
SACCADE_DURATION_S = 0.067
#: Intervals between saccade onsets, seconds; none shorter than ``FIXATION_MIN_S`` (design).
FIXATION_S = (0.067, 0.284, 1.556)
FIXATION_MIN_S = 0.12
#: Fixations walk by the saccades inside this yaw/pitch box, folded back at its walls: a walk
#: spread evenly over +-b has a std of b / sqrt(3), which matches the capture's gaze std
#: (yaw 0.087, pitch 0.078 rad, all takes).
GAZE_BOX_RAD = (0.15, 0.135)
#: Eye-look channels per radian of eye rotation (least squares, median over the takes):
#: Out-In per yaw (left eye -1.45, right eye +1.45), Up-Down per pitch -1.83 (both eyes).
LOOK_PER_YAW = 1.45
LOOK_PER_PITCH = 1.83

# --- brows (fitted: raise events on max(BrowInnerUp, BrowOuterUp)) ------------------------------
BROW_EVENT_RATE_PER_MIN = 10.2
#: Height above the resting level (p10, p50, p90).
BROW_RAISE_HEIGHT = (0.108, 0.142, 0.314)
#: Time above half height, seconds.
BROW_RAISE_SECONDS = (0.170, 0.836, 4.509)
#: The capture's resting inner brow (BrowInnerUp median, all takes). Its raises peak at this
#: plus their height; a face whose brows rest at 0 peaks at the same value, so a raise reads
#: as large on the rig as on the actor.
BROW_REST = 0.099
#: BrowOuterUp per BrowInnerUp over the takes.
BROW_OUTER_PER_INNER = 0.39
#: BrowDown median during the takes, used as the size of the drop in low, quiet phrases.
BROW_DROP = 0.076

# --- head (design values: the takes have no head rotation) -------------------------------------
#: Standard deviation of the slow sway during speech, radians (yaw 2.9, pitch 2.0, roll 1.4 deg).
HEAD_SWAY_RAD = (0.050, 0.035, 0.025)
#: Corner of the sway's low-pass (Hz): the head moves slower than the syllables.
HEAD_SWAY_CORNER_HZ = 0.5
#: Nod on emphasis: downward pitch peak (radians, 2 deg at full emphasis) and its length.
HEAD_NOD_RAD = 0.035
HEAD_NOD_SECONDS = 0.35
#: Sway left in silence, as a fraction of the speech sway (stillness, not a frozen head).
HEAD_SILENCE_FACTOR = 0.25

# --- per-emotion shifts -------------------------------------------------------------------------
#: Multipliers of the base parameters. Angry, Fearful, Happy and Sad are fitted: the group's
#: figure over the median of the four groups (blink rate, brow event rate, height and length, gaze
#: yaw std, fixation length), clamped to 0.5-2 so that one actor's take cannot switch a part off;
#: ``brow_outer`` is that group's BrowOuterUp/BrowInnerUp ratio (sad raises only the inner brow).
#: Neutral is 1; Disgusted, Surprised and every ``head`` entry are design values.
EMOTION_SHIFTS: dict[str, dict[str, float]] = {
    "Angry":     {"blink": 1.07, "brow_rate": 0.85, "brow_height": 1.13, "brow_length": 1.66,
                  "brow_outer": 0.43, "gaze": 1.04, "fixation": 0.70, "head": 1.2},
    "Disgusted": {"blink": 1.0, "brow_rate": 0.85, "brow_height": 1.0, "brow_length": 1.0,
                  "brow_outer": 0.39, "gaze": 1.0, "fixation": 1.0, "head": 1.0},
    "Fearful":   {"blink": 0.5, "brow_rate": 1.16, "brow_height": 0.93, "brow_length": 2.0,
                  "brow_outer": 0.60, "gaze": 2.0, "fixation": 1.24, "head": 0.8},
    "Happy":     {"blink": 0.93, "brow_rate": 0.5, "brow_height": 0.5, "brow_length": 1.0,
                  "brow_outer": 0.86, "gaze": 0.5, "fixation": 1.41, "head": 1.2},
    "Neutral":   {"blink": 1.0, "brow_rate": 1.0, "brow_height": 1.0, "brow_length": 1.0,
                  "brow_outer": 0.39, "gaze": 1.0, "fixation": 1.0, "head": 1.0},
    "Sad":       {"blink": 1.19, "brow_rate": 1.41, "brow_height": 1.08, "brow_length": 0.5,
                  "brow_outer": 0.0, "gaze": 0.96, "fixation": 0.82, "head": 0.6},
    "Surprised": {"blink": 0.6, "brow_rate": 1.5, "brow_height": 1.5, "brow_length": 1.2,
                  "brow_outer": 1.0, "gaze": 1.0, "fixation": 1.0, "head": 1.2},
}  # fmt: skip
SHIFT_KEYS = tuple(EMOTION_SHIFTS["Neutral"])
