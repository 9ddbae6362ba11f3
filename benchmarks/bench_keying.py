"""Keying speed: the extension's bulk F-Curve path against ``keyframe_insert``, in one run.

    .venv/bin/python benchmarks/bench_keying.py [--minutes 10] [--insert-frames 360]

Bulk: 51 shape keys x ``minutes`` at 24 fps through ``blender.keying.write_take`` (what a bake
does). keyframe_insert grows super-linearly, so it runs on a shorter clip. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import time

import bpy
import numpy as np
from neurosync_lipsync.blender.keying import take_fcurves, write_take
from neurosync_lipsync.core.naming import CHANNELS

FPS = 24
KEYS = CHANNELS[:51]


def face(name: str):
    mesh = bpy.data.meshes.new(name)
    obj = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    obj.shape_key_add(name="Basis")
    for key in KEYS:
        obj.shape_key_add(name=key).value = 0.0
    return obj


def bench_bulk(frames: int) -> dict:
    key = face("Bulk").data.shape_keys
    rng = np.random.default_rng(0)
    curves = {k: rng.random(frames, dtype=np.float32) for k in KEYS}
    start = time.perf_counter()
    action = write_take(key, "bench", "bench take", 1, curves)
    seconds = time.perf_counter() - start
    bpy.context.scene.frame_set(frames // 2)
    got = key.key_blocks[KEYS[0]].value
    exact = abs(got - float(curves[KEYS[0]][frames // 2 - 1])) < 1e-6
    points = sum(len(fc.keyframe_points) for fc in take_fcurves(action))
    return {
        "keys": len(KEYS),
        "frames": frames,
        "seconds": round(seconds, 4),
        "keyframes": points,
        "value_exact_after_frame_set": exact,
    }


def bench_insert(frames: int) -> dict:
    key = face("Insert").data.shape_keys
    rng = np.random.default_rng(0)
    values = rng.random((frames, len(KEYS)), dtype=np.float32)
    blocks = [key.key_blocks[k] for k in KEYS]
    start = time.perf_counter()
    for f in range(frames):
        for block, value in zip(blocks, values[f], strict=True):
            block.value = float(value)
            block.keyframe_insert("value", frame=f + 1)
    seconds = time.perf_counter() - start
    return {"keys": len(KEYS), "frames": frames, "seconds": round(seconds, 4)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--insert-frames", type=int, default=360)
    args = p.parse_args()
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bulk = bench_bulk(int(args.minutes * 60 * FPS))
    insert = bench_insert(args.insert_frames)
    per_frame_bulk = bulk["seconds"] / bulk["frames"]
    per_frame_insert = insert["seconds"] / insert["frames"]
    print(
        json.dumps(
            {
                "blender": bpy.app.version_string,
                "bulk_write_take": bulk,
                "keyframe_insert": insert,
                "speedup_per_frame": round(per_frame_insert / per_frame_bulk, 1),
                "target_bulk_seconds": 1.0,
                "bulk_within_target": bulk["seconds"] <= 1.0,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
