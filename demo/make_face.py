"""Build the demo face with bpy: one mesh with the 52 ARKit shape keys, a camera and lights.

    python demo/make_face.py [--output demo/out/face.blend]

Nothing binary is committed: the head is generated from face_mesh.py (geometry) and
face_keys.py (what each shape key moves). Other demo scripts import ``build_face_scene``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import bpy
import numpy as np
from mathutils import Vector

sys.path.insert(0, str(Path(__file__).resolve().parent))

import face_keys  # noqa: E402
import face_mesh  # noqa: E402

FACE_NAME = "DemoFace"
OUT = Path(__file__).resolve().parent / "out"


def build_face_object(name: str = FACE_NAME) -> bpy.types.Object:
    """The head as one mesh object with materials, smooth shading and all 52 shape keys."""
    import bmesh  # only importable once bpy is

    face = face_mesh.build_face()
    verts, part, theta = face.arrays()
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts.tolist(), [], face.faces)
    for mat_name, color in face_mesh.MATERIALS:
        mat = bpy.data.materials.get(mat_name) or bpy.data.materials.new(mat_name)
        mat.diffuse_color = color
        mat.roughness = 0.25 if mat_name in ("Sclera", "Iris", "Pupil", "Teeth") else 0.6
        mesh.materials.append(mat)
    mesh.polygons.foreach_set("material_index", np.array(face.face_mat, dtype=np.int32))
    mesh.polygons.foreach_set("use_smooth", np.ones(len(mesh.polygons), dtype=bool))
    bm = bmesh.new()
    bm.from_mesh(mesh)
    bmesh.ops.recalc_face_normals(bm, faces=bm.faces)
    bm.to_mesh(mesh)
    bm.free()
    mesh.update()

    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.shape_key_add(name="Basis", from_mix=False)
    offsets = face_keys.shape_key_offsets(verts, part, theta, face.centers)
    for key_name, delta in offsets.items():
        kb = obj.shape_key_add(name=key_name, from_mix=False)
        kb.data.foreach_set("co", (verts + delta).astype(np.float32).ravel())
        kb.value = 0.0
    return obj


def setup_render(scene: bpy.types.Scene, *, size: int = 320) -> None:
    """Camera, lights, world and a cheap render setup (Workbench works headless on CPU)."""
    cam_data = bpy.data.cameras.new("Camera")
    cam_data.lens = 92
    cam = bpy.data.objects.new("Camera", cam_data)
    scene.collection.objects.link(cam)
    cam.location = (1.55, -6.2, 0.25)
    direction = Vector((0.0, 0.0, -0.08)) - cam.location
    cam.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()
    scene.camera = cam
    for name, energy, loc in (("Key", 3.0, (3, -4, 4)), ("Fill", 1.0, (-4, -3, 1))):
        light = bpy.data.objects.new(name, bpy.data.lights.new(name, "SUN"))
        light.data.energy = energy
        light.rotation_euler = (math.radians(50), 0, math.atan2(loc[0], -loc[1]))
        scene.collection.objects.link(light)
    world = scene.world or bpy.data.worlds.new("World")
    scene.world = world
    world.color = (0.30, 0.34, 0.40)
    scene.render.engine = "BLENDER_WORKBENCH"
    shading = scene.display.shading
    shading.light = "STUDIO"
    shading.color_type = "MATERIAL"
    shading.show_cavity = True
    shading.cavity_type = "WORLD"
    shading.show_specular_highlight = True
    scene.display.render_aa = "FXAA"  # 8x AA costs ~8x the time
    scene.render.resolution_x = scene.render.resolution_y = size
    scene.render.resolution_percentage = 100
    scene.render.fps, scene.render.fps_base = 24, 1.0


def build_face_scene(*, size: int = 320) -> bpy.types.Object:
    """Reset to an empty file and build face, camera and lights in the current scene."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    obj = build_face_object()
    setup_render(scene, size=size)
    return obj


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=str(OUT / "face.blend"))
    args = parser.parse_args(argv)
    obj = build_face_scene()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(Path(args.output).resolve()))
    count = len(obj.data.shape_keys.key_blocks) - 1
    print(f"wrote {args.output}: {obj.name} with {count} shape keys")
    return 0


if __name__ == "__main__":
    sys.exit(main())
