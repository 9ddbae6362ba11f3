"""Geometry of the demo head, in plain numpy (no bpy): vertices, faces, and per-vertex tags.

Blender conventions: the face looks down -Y, +Z is up, the character's left is +X. Every part is
one piece of a single mesh so that one object carries all 52 shape keys; ``Face.part`` says which
piece a vertex belongs to and ``Face.theta`` holds the angle around the mouth for lips and teeth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

HEAD, NOSE, LIPS, TEETH_UP, TEETH_LOW, CAVITY, TONGUE = range(7)
EYE_L, EYE_R, LID_UP_L, LID_LOW_L, LID_UP_R, LID_LOW_R, BROW_L, BROW_R, EARS = range(7, 16)
#: Material of each part (index into MATERIALS).
PART_MATERIAL = {HEAD: 0, NOSE: 0, LIPS: 1, TEETH_UP: 2, TEETH_LOW: 2, CAVITY: 3, TONGUE: 4,
                 EYE_L: 5, EYE_R: 5, LID_UP_L: 0, LID_LOW_L: 0, LID_UP_R: 0, LID_LOW_R: 0,
                 BROW_L: 8, BROW_R: 8, EARS: 0}  # fmt: skip
#: (name, RGBA); eyes get iris (6) and pupil (7) faces on top of the sclera (5).
MATERIALS = (
    ("Skin", (0.80, 0.55, 0.42, 1)), ("Lips", (0.62, 0.24, 0.24, 1)),
    ("Teeth", (0.92, 0.90, 0.84, 1)), ("Mouth", (0.16, 0.03, 0.04, 1)),
    ("Tongue", (0.72, 0.30, 0.32, 1)), ("Sclera", (0.95, 0.95, 0.93, 1)),
    ("Iris", (0.14, 0.36, 0.52, 1)), ("Pupil", (0.02, 0.02, 0.02, 1)),
    ("Brows", (0.20, 0.12, 0.07, 1)),
)  # fmt: skip

RADII = np.array([0.82, 0.92, 1.08])  # head ellipsoid
MOUTH_Z = -0.45
MOUTH_HALF_WIDTH = 0.30
EYE_Z = 0.16
EYE_X = 0.30
EYE_RADIUS = 0.14
LID_RADIUS = 0.165
JAW_PIVOT = np.array([0.0, 0.15, -0.3])


@dataclass
class Face:
    verts: list = field(default_factory=list)
    faces: list = field(default_factory=list)
    face_mat: list = field(default_factory=list)
    part: list = field(default_factory=list)
    theta: list = field(default_factory=list)
    centers: dict = field(default_factory=dict)  # part -> reference point (eye centres, ...)

    def add(self, part: int, verts: np.ndarray, faces: list, *, mats=None, theta=None) -> None:
        base = sum(len(v) for v in self.verts)
        self.verts.append(np.asarray(verts, dtype=np.float64))
        self.faces.extend(tuple(i + base for i in f) for f in faces)
        self.face_mat.extend(mats if mats is not None else [PART_MATERIAL[part]] * len(faces))
        self.part.append(np.full(len(verts), part))
        self.theta.append(np.full(len(verts), np.nan) if theta is None else np.asarray(theta))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.concatenate(self.verts), np.concatenate(self.part), np.concatenate(self.theta)


def head_shape(u: np.ndarray) -> np.ndarray:
    """Map points of the unit sphere to the head: a narrower jaw, a chin, a rounder back."""
    x, y, z = u[:, 0], u[:, 1], u[:, 2]
    jaw = np.clip(-z, 0, 1)
    sx = 1.0 - 0.28 * jaw**1.6
    chin = -0.10 * np.exp(-(((z + 0.72) / 0.22) ** 2)) * np.clip(-y, 0, 1) ** 2
    brow = -0.05 * np.exp(-(((z - 0.32) / 0.12) ** 2)) * np.clip(-y, 0, 1) ** 3
    return np.stack([RADII[0] * x * sx, RADII[1] * y + chin + brow, RADII[2] * z], axis=1)


def surface(x: float, z: float) -> np.ndarray:
    """Point on the front of the head at (x, z), found by fixed-point steps on the unit sphere."""
    ux, uz = x / RADII[0], z / RADII[2]
    for _ in range(20):
        uy = -np.sqrt(max(1e-6, 1 - ux * ux - uz * uz))
        p = head_shape(np.array([[ux, uy, uz]]))[0]
        ux += (x - p[0]) / RADII[0]
    return p


def grid_faces(rows: int, cols: int, *, wrap: bool, offset: int = 0) -> list[tuple[int, ...]]:
    """Quads of a rows x cols vertex grid (row-major); ``wrap`` closes each row into a loop."""
    faces = []
    for r in range(rows - 1):
        for c in range(cols if wrap else cols - 1):
            c2 = (c + 1) % cols
            a, b = offset + r * cols + c, offset + r * cols + c2
            faces.append((a, b, b + cols, a + cols))
    return faces


def uv_sphere(segments: int, rings: int) -> tuple[np.ndarray, list]:
    """Unit sphere with poles on Z: rings-1 latitude loops plus two pole vertices."""
    lat = np.linspace(np.pi / 2, -np.pi / 2, rings + 1)[1:-1]
    lon = np.linspace(0, 2 * np.pi, segments, endpoint=False) - np.pi / 2
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    pts = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    verts = np.vstack([pts.reshape(-1, 3), [[0, 0, 1], [0, 0, -1]]])
    n = len(verts) - 2
    faces = grid_faces(rings - 1, segments, wrap=True)
    faces += [(n, (c + 1) % segments, c) for c in range(segments)]
    last = (rings - 2) * segments
    faces += [(n + 1, last + c, last + (c + 1) % segments) for c in range(segments)]
    return verts, faces


def tube(
    path: np.ndarray,
    normal: np.ndarray,
    radius: np.ndarray,
    *,
    sides: int,
    closed: bool,
    squash: float = 1.0,
) -> tuple[np.ndarray, list]:
    """A tube along ``path`` (n, 3); cross-sections span ``normal`` (n, 3) and the binormal.

    ``squash`` scales the cross-section along ``normal``; open tubes get cone caps.
    """
    tangent = np.gradient(path, axis=0)
    if closed:
        tangent = np.roll(path, -1, axis=0) - np.roll(path, 1, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    nrm = normal - (normal * tangent).sum(1, keepdims=True) * tangent
    nrm /= np.linalg.norm(nrm, axis=1, keepdims=True)
    binormal = np.cross(tangent, nrm)
    phi = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    ring = (np.cos(phi)[None, :, None] * nrm[:, None] * squash
            + np.sin(phi)[None, :, None] * binormal[:, None])  # fmt: skip
    verts = (path[:, None] + radius[:, None, None] * ring).reshape(-1, 3)
    n = len(path)
    if closed:
        faces = grid_faces(n, sides, wrap=True) + [
            ((n - 1) * sides + c, (n - 1) * sides + (c + 1) % sides, (c + 1) % sides, c)
            for c in range(sides)
        ]
        return verts, faces
    faces = grid_faces(n, sides, wrap=True)
    verts = np.vstack([verts, path[:1], path[-1:]])
    faces += [(n * sides, (c + 1) % sides, c) for c in range(sides)]
    faces += [(n * sides + 1, (n - 1) * sides + c, (n - 1) * sides + (c + 1) % sides)
              for c in range(sides)]  # fmt: skip
    return verts, faces


def build_face() -> Face:
    """Every part of the head, positioned; shape keys are computed from it in face_keys.py."""
    face = Face()
    _head(face)
    _mouth(face)
    for side in (1, -1):
        _eye(face, side)
        _brow(face, side)
    nose_base = surface(0.0, -0.12)
    nose, faces = uv_sphere(24, 16)
    nose = nose * [0.12, 0.13, 0.19] + nose_base + [0, -0.02, 0]
    nose[:, 1] -= 0.07 * np.clip(-(nose[:, 2] - nose_base[2]) / 0.19 + 0.3, 0, 1)  # tip forward
    face.add(NOSE, nose, faces)
    for side in (1, -1):
        ear, faces = uv_sphere(16, 12)
        face.add(EARS, ear * [0.08, 0.15, 0.24] + [side * 0.80, 0.10, 0.02], faces)
    face.centers[NOSE] = nose_base
    return face


def _head(face: Face) -> None:
    unit, faces = uv_sphere(96, 72)
    verts = head_shape(unit)
    # Cut the mouth opening: the lips (a tube around it) hide the cut edge.
    mz, hw = MOUTH_Z, MOUTH_HALF_WIDTH * 0.92
    centers = np.array([verts[list(f)].mean(0) for f in faces])
    ellipse = (centers[:, 0] / hw) ** 2 + ((centers[:, 2] - mz) / 0.05) ** 2
    inside = (ellipse < 1) & (centers[:, 1] < 0)
    face.add(HEAD, verts, [f for f, cut in zip(faces, inside, strict=True) if not cut])


def mouth_path(theta: np.ndarray, half_width: float, half_height: float,
               depth: float) -> np.ndarray:  # fmt: skip
    """Points around the mouth at angle ``theta`` (0 = character's left corner, pi/2 = top)."""
    pts = []
    for t in theta:
        x, z = half_width * np.cos(t), MOUTH_Z + half_height * np.sin(t)
        pts.append(surface(x, z) + [0, depth, 0])
    return np.array(pts)


def _mouth(face: Face) -> None:
    n = 72
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    path = mouth_path(theta, MOUTH_HALF_WIDTH, 0.052, -0.015)
    radius = 0.058 * (0.35 + 0.65 * np.abs(np.sin(theta)) ** 0.6)
    radius *= np.where(np.sin(theta) < 0, 1.12, 1.0)  # fuller lower lip
    outward = path - [0, path[:, 1].max() + 0.3, MOUTH_Z]
    verts, faces = tube(path, outward, radius, sides=14, closed=True, squash=0.8)
    face.add(LIPS, verts, faces, theta=np.repeat(theta, 14))

    for part, z, half in ((TEETH_UP, 0.035, 0.04), (TEETH_LOW, -0.035, 0.035)):
        th = np.linspace(0.12 * np.pi, 0.88 * np.pi, 24)
        path = np.array([[0.22 * np.cos(t), 0, MOUTH_Z + z] for t in th])
        path[:, 1] = surface(0, MOUTH_Z)[1] + 0.07 + 0.16 * (1 - np.sin(th))  # dental arch
        radius = np.full(len(th), half) * (0.6 + 0.4 * np.sin(th) ** 0.5)
        verts, faces = tube(path, np.tile([0, 0, 1.0], (len(th), 1)), radius, sides=10,
                            closed=False, squash=1.0)  # fmt: skip
        face.add(part, verts, faces, theta=np.concatenate([np.repeat(th, 10), th[[0, -1]]]))

    front = surface(0, MOUTH_Z)[1]
    cav, faces = uv_sphere(32, 20)
    face.add(CAVITY, cav * [0.30, 0.28, 0.24] + [0, front + 0.36, MOUTH_Z - 0.06], faces)
    tongue, faces = uv_sphere(24, 14)
    tongue = tongue * [0.15, 0.21, 0.06] + [0, front + 0.25, MOUTH_Z - 0.09]
    face.add(TONGUE, tongue, faces)
    face.centers[TONGUE] = tongue.mean(0)


def _eye(face: Face, side: int) -> None:
    center = surface(side * EYE_X, EYE_Z) + [0, 0.075, 0]
    ball, faces = uv_sphere(32, 24)
    # Rotate the sphere so its pole looks forward (-Y): iris and pupil sit around that pole.
    ball = ball[:, [0, 2, 1]] * [1, -1, 1]
    fc = np.array([ball[list(f)].mean(0) for f in faces])
    angle = np.degrees(np.arccos(np.clip(-fc[:, 1] / np.linalg.norm(fc, axis=1), -1, 1)))
    mats = np.where(angle < 10, 7, np.where(angle < 24, 6, 5)).tolist()
    part = EYE_L if side > 0 else EYE_R
    face.add(part, ball * EYE_RADIUS + center, faces, mats=mats)
    face.centers[part] = center

    # Lids: bands of a slightly larger sphere, parametrised by the angle alpha around the X axis
    # (0 = forward, +90 = up) and the latitude beta towards +-X; blinks rotate alpha.
    beta = np.radians(np.linspace(-78, 78, 27))
    for lid, (a_edge, a_back) in ((LID_UP_L if side > 0 else LID_UP_R, (26, 150)),
                                  (LID_LOW_L if side > 0 else LID_LOW_R, (-32, -150))):  # fmt: skip
        t = np.linspace(0, 1, 12)
        rows = []
        for tt in t:
            edge = a_edge + np.sign(a_edge) * 16 * (beta / beta.max()) ** 2  # almond shape
            alpha = np.radians(edge + (a_back - edge) * tt)
            rows.append(np.stack([np.sin(beta), -np.cos(beta) * np.cos(alpha),
                                  np.cos(beta) * np.sin(alpha)], axis=1))  # fmt: skip
        r = LID_RADIUS * (1 + 0.04 * (1 - t))[:, None, None]  # thicker at the edge
        verts = (np.array(rows) * r).reshape(-1, 3) + center
        # Store t (0 at the edge, 1 at the back) so a blink can move the edge the most.
        face.add(lid, verts, grid_faces(len(t), len(beta), wrap=False),
                 theta=np.repeat(t, len(beta)))  # fmt: skip
        face.centers[lid] = center


def _brow(face: Face, side: int) -> None:
    s = np.linspace(0, 1, 20)  # 0 = inner end, 1 = outer end
    x = side * (0.10 + 0.34 * s)
    z = EYE_Z + 0.20 + 0.06 * np.sin(np.pi * s * 0.8) - 0.03 * s
    path = np.array([surface(xx, zz) for xx, zz in zip(x, z, strict=True)]) + [0, -0.01, 0]
    radius = 0.032 * (1.0 - 0.55 * s) + 0.008
    outward = path - [0, 0.2, EYE_Z]
    verts, faces = tube(path, outward, radius, sides=10, closed=False, squash=0.55)
    face.add(BROW_L if side > 0 else BROW_R, verts, faces,
             theta=np.concatenate([np.repeat(s, 10), s[[0, -1]]]))  # fmt: skip
