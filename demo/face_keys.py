"""What each of the 52 ARKit shape keys moves on the demo head (plain numpy, no bpy).

Each key is an offset field over all vertices, built from smooth weights (which part, how close
to a mouth corner, which side) times a displacement. Rotations (jaw, eyeballs, lids) are written
as the offset to the rotated position; shape keys blend linearly, which is close enough for the
angles used here. Side convention: "Left" is the character's left, +X.
"""

from __future__ import annotations

import face_mesh as fm
import numpy as np
from neurosync_lipsync.core.constants import ARKIT_NAMES, NUM_ARKIT_CHANNELS

#: The 52 shape keys: the 51 face channels plus tongueOut, in ARKit camelCase.
ARKIT_52 = ARKIT_NAMES[:NUM_ARKIT_CHANNELS]
SIDES = {"Left": 1, "Right": -1}


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def rotate_x(p: np.ndarray, center: np.ndarray, degrees) -> np.ndarray:
    """Offset that rotates points ``p`` about the X axis through ``center`` (+ = front goes up).

    ``degrees`` is a scalar or one angle per point.
    """
    a = np.radians(degrees)
    q = p - center
    y = q[:, 1] * np.cos(a) + q[:, 2] * np.sin(a)
    z = -q[:, 1] * np.sin(a) + q[:, 2] * np.cos(a)
    return np.stack([q[:, 0], y, z], axis=1) + center - p


def rotate_z(p: np.ndarray, center: np.ndarray, degrees: float) -> np.ndarray:
    """Offset that turns points about the Z axis through ``center`` (+ = front goes to +X)."""
    a = np.radians(degrees)
    q = p - center
    x = q[:, 0] * np.cos(a) - q[:, 1] * np.sin(a)
    y = q[:, 0] * np.sin(a) + q[:, 1] * np.cos(a)
    return np.stack([x, y, q[:, 2]], axis=1) + center - p


class Weights:
    """Per-vertex weights shared by the keys."""

    def __init__(self, v: np.ndarray, part: np.ndarray, theta: np.ndarray, centers: dict):
        self.v, self.part, self.theta, self.centers = v, part, theta, centers
        x, y, z = v.T
        mz = fm.MOUTH_Z
        self.lips = (part == fm.LIPS).astype(float)
        self.skin = (part == fm.HEAD).astype(float)
        th = np.nan_to_num(theta)
        up = smoothstep(-0.35, 0.35, np.sin(th))
        self.upper = self.lips * up
        self.lower = self.lips * (1 - up)
        front = smoothstep(-0.3, -0.7, y)
        self.mouth_skin = self.skin * front * np.exp(-((x / 0.42) ** 2 + ((z - mz) / 0.2) ** 2))
        self.mouth = self.lips + self.mouth_skin
        # Sharp under the mouth opening, soft towards the sides so a sideways jaw leaves no crease.
        soft = 0.08 + 0.35 * np.clip(np.abs(x) / 0.6, 0, 1) ** 2
        jaw_skin = self.skin * smoothstep(mz + 0.01, mz - soft, z) * smoothstep(0.1, -0.5, y)
        jaw_lips = self.lower * (0.45 + 0.55 * np.sin(th) ** 2)  # corners stay: an oval opening
        cavity = (part == fm.CAVITY) * smoothstep(mz, mz - 0.2, z) * 0.8
        self.jaw = (jaw_lips + jaw_skin + cavity + (part == fm.TEETH_LOW)
                    + 0.85 * (part == fm.TONGUE))  # fmt: skip
        # Lip tube centres (rings of 14 vertices) for rolling and pressing the lips.
        self.lip_center = v.copy()
        idx = np.flatnonzero(part == fm.LIPS)
        rings = v[idx].reshape(-1, 14, 3)
        self.lip_center[idx] = np.repeat(rings.mean(1), 14, axis=0)

    def corner(self, s: int, reach: float = 0.14) -> np.ndarray:
        """Mouth-corner weight on side ``s``: lips near that corner plus the skin around it."""
        th = np.nan_to_num(self.theta)
        lips = self.lips * np.clip(s * np.cos(th), 0, 1) ** 1.5
        c = fm.surface(s * fm.MOUTH_HALF_WIDTH, fm.MOUTH_Z)
        d2 = ((self.v - c) ** 2).sum(1)
        return lips + self.skin * np.exp(-d2 / reach**2) * smoothstep(-0.2, -0.6, self.v[:, 1])

    def side(self, s: int) -> np.ndarray:
        return smoothstep(-0.08, 0.08, s * self.v[:, 0])

    def near(self, point, reach: float, mask: np.ndarray | None = None) -> np.ndarray:
        d2 = ((self.v - np.asarray(point)) ** 2).sum(1)
        w = np.exp(-d2 / reach**2)
        return w * (self.skin if mask is None else mask)


def lid_offset(w: Weights, lid: int, degrees_edge: float) -> np.ndarray:
    """Move a lid's edge by ``degrees_edge`` around its eye (+ = up); its back edge stays put."""
    mask = w.part == lid
    out = np.zeros_like(w.v)
    p = w.v[mask]
    t = w.theta[mask]  # 0 at the edge, 1 at the back
    out[mask] = rotate_x(p, w.centers[lid], degrees_edge * (1 - t) ** 1.2)
    return out


def shape_key_offsets(v, part, theta, centers) -> dict[str, np.ndarray]:
    """``{key name: (V, 3) offset}`` for all 52 ARKit keys, in ARKit order."""
    w = Weights(v, part, theta, centers)
    x, y, z = v.T
    zero = np.zeros_like(v)

    def vec(dx, dy, dz, weight):
        return np.stack([dx * weight, dy * weight, dz * weight], axis=1)

    keys: dict[str, np.ndarray] = {}
    jaw_rot = rotate_x(v, fm.JAW_PIVOT, -24.0)
    keys["jawOpen"] = jaw_rot * w.jaw[:, None]
    keys["jawForward"] = vec(0, -0.07, 0, w.jaw)
    keys["jawLeft"] = vec(0.08, 0, 0, w.jaw)
    keys["jawRight"] = vec(-0.08, 0, 0, w.jaw)
    keys["mouthClose"] = vec(0, 0, -0.06, w.upper) + vec(0, 0, 0.16, w.lower)
    keys["mouthFunnel"] = (vec(1, 0, 0, -0.28 * x * w.mouth) + vec(0, -0.07, 0, w.lips)
                           + vec(0, 0, 0.07, w.upper) + vec(0, 0, -0.08, w.lower)
                           + vec(0, -0.03, 0, w.mouth_skin))  # fmt: skip
    keys["mouthPucker"] = (vec(1, 0, 0, -0.42 * x * w.mouth) + vec(0, -0.10, 0, w.lips)
                           + vec(0, -0.05, 0, w.mouth_skin)
                           + vec(0, 0, 1, -0.3 * (z - fm.MOUTH_Z) * w.lips))  # fmt: skip
    keys["mouthLeft"] = vec(0.10, 0, 0, w.mouth)
    keys["mouthRight"] = vec(-0.10, 0, 0, w.mouth)
    keys["mouthRollLower"] = ((w.lip_center - v) * 0.5 * w.lower[:, None]
                              + vec(0, 0.05, 0.03, w.lower))  # fmt: skip
    keys["mouthRollUpper"] = ((w.lip_center - v) * 0.5 * w.upper[:, None]
                              + vec(0, 0.05, -0.03, w.upper))  # fmt: skip
    chin = w.near(fm.surface(0, fm.MOUTH_Z - 0.25), 0.18)
    keys["mouthShrugLower"] = vec(0, -0.04, 0.05, w.lower) + vec(0, -0.03, 0.03, chin)
    keys["mouthShrugUpper"] = vec(0, -0.03, 0.04, w.upper)
    for name, s in SIDES.items():
        corner, side = w.corner(s), w.side(s)
        cheek = w.near(fm.surface(s * 0.40, fm.MOUTH_Z + 0.12), 0.18)
        keys[f"mouthSmile{name}"] = vec(s * 0.07, 0.05, 0.14, corner) + vec(0, -0.03, 0.05, cheek)
        keys[f"mouthFrown{name}"] = vec(s * 0.01, 0, -0.10, corner)
        keys[f"mouthDimple{name}"] = vec(s * 0.03, 0.05, 0, corner)
        keys[f"mouthStretch{name}"] = vec(s * 0.09, 0.02, -0.035, corner)
        press = side * (w.lips + 0.5 * w.mouth_skin)
        keys[f"mouthPress{name}"] = (vec(0, 0, 1, -0.45 * (v[:, 2] - w.lip_center[:, 2]) * press)
                                     + vec(0, 0, -0.02, side * w.upper)
                                     + vec(0, 0, 0.02, side * w.lower)
                                     + vec(s * 0.02, 0, 0, press))  # fmt: skip
        mid = 1 - 0.7 * np.clip(s * np.cos(np.nan_to_num(theta)), 0, 1) ** 2
        below = w.near(fm.surface(s * 0.12, fm.MOUTH_Z - 0.12), 0.12)
        above = w.near(fm.surface(s * 0.12, fm.MOUTH_Z + 0.12), 0.10)
        keys[f"mouthLowerDown{name}"] = (vec(0, -0.01, -0.12, side * w.lower * mid)
                                         + vec(0, 0, -0.05, side * below))  # fmt: skip
        keys[f"mouthUpperUp{name}"] = (vec(0, -0.01, 0.10, side * w.upper * mid)
                                       + vec(0, 0, 0.04, side * above))  # fmt: skip

        brow = (w.part == (fm.BROW_L if s > 0 else fm.BROW_R)).astype(float)
        along = np.where(brow > 0, theta, 0)  # 0 inner end .. 1 outer end
        forehead = w.near(fm.surface(s * 0.26, fm.EYE_Z + 0.22), 0.16)
        keys[f"browDown{name}"] = (vec(-s * 0.02, -0.01, -0.06, brow * (1.2 - 0.5 * along))
                                   + vec(0, 0, -0.04, forehead))  # fmt: skip
        keys[f"browOuterUp{name}"] = (vec(0, 0, 0.09, brow * along**1.5)
                                      + vec(0, 0, 0.04, forehead * side))  # fmt: skip
        cheek_hi = w.near(fm.surface(s * 0.36, fm.EYE_Z - 0.24), 0.18)
        lid_low = fm.LID_LOW_L if s > 0 else fm.LID_LOW_R
        lid_up = fm.LID_UP_L if s > 0 else fm.LID_UP_R
        keys[f"cheekSquint{name}"] = vec(0, -0.03, 0.08, cheek_hi) + lid_offset(w, lid_low, 12)
        nose_side = (w.part == fm.NOSE) * side * smoothstep(0.0, -0.15, z - centers[fm.NOSE][2])
        nose_skin = w.near(fm.surface(s * 0.15, -0.16), 0.13)
        keys[f"noseSneer{name}"] = (vec(s * 0.03, 0, 0.08, nose_side)
                                    + vec(0, -0.01, 0.06, nose_skin)
                                    + vec(0, 0, 0.025, side * w.upper * 0.6))  # fmt: skip

        eye = fm.EYE_L if s > 0 else fm.EYE_R
        ball = (w.part == eye)[:, None]
        c = centers[eye]
        keys[f"eyeBlink{name}"] = lid_offset(w, lid_up, -58) + lid_offset(w, lid_low, 6)
        keys[f"eyeWide{name}"] = lid_offset(w, lid_up, 16) + lid_offset(w, lid_low, -5)
        keys[f"eyeSquint{name}"] = (lid_offset(w, lid_low, 18) + lid_offset(w, lid_up, -6)
                                    + vec(0, 0, 0.02, cheek_hi))  # fmt: skip
        keys[f"eyeLookUp{name}"] = rotate_x(v, c, 22) * ball + lid_offset(w, lid_up, 8)
        keys[f"eyeLookDown{name}"] = (rotate_x(v, c, -22) * ball + lid_offset(w, lid_up, -14)
                                      + lid_offset(w, lid_low, -6))  # fmt: skip
        keys[f"eyeLookOut{name}"] = rotate_z(v, c, -s * 28) * ball
        keys[f"eyeLookIn{name}"] = rotate_z(v, c, s * 28) * ball

    both_brows = ((w.part == fm.BROW_L) | (w.part == fm.BROW_R)).astype(float)
    inner = both_brows * (1 - np.where(both_brows > 0, theta, 0)) ** 1.5
    glabella = w.near(fm.surface(0, fm.EYE_Z + 0.2), 0.16)
    keys["browInnerUp"] = vec(0, 0, 0.09, inner) + vec(0, 0, 0.04, glabella)
    puff = zero
    for s in (1, -1):
        wc = w.near(fm.surface(s * 0.44, fm.MOUTH_Z + 0.06), 0.2)
        puff = puff + vec(s * 0.08, -0.05, 0, wc)
    keys["cheekPuff"] = puff + vec(0, -0.02, 0, w.lips)
    tongue = (w.part == fm.TONGUE).astype(float)
    tip = tongue * smoothstep(centers[fm.TONGUE][1] + 0.1, centers[fm.TONGUE][1] - 0.2, y)
    keys["tongueOut"] = vec(0, -0.30, -0.03, tongue) + vec(0, -0.06, 0.02, tip)
    return {name: keys[name] for name in ARKIT_52}
