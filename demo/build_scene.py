"""Build the demo scene: the generated face plus the voice as a sound strip, ready to bake.

    python demo/build_scene.py [--audio demo/voice.ogg] [--output demo/out/scene.blend]

The scene runs at 24 fps and its frame range follows the sound strip. The sound is referenced by
path (relative once saved), not packed, so the file stays small.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import bpy

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_face  # noqa: E402

STRIP_NAME = "DemoVoice"
FPS = 24


def add_sound_strip(scene: bpy.types.Scene, audio: Path, *, name: str = STRIP_NAME,
                    frame_start: int = 1) -> bpy.types.Strip:  # fmt: skip
    """Add ``audio`` as a sound strip at ``frame_start`` and fit the scene's range to it."""
    sed = scene.sequence_editor or scene.sequence_editor_create()
    strip = sed.strips.new_sound(name, str(audio), channel=1, frame_start=frame_start)
    scene.frame_start = strip.frame_final_start
    scene.frame_end = strip.frame_final_end - 1
    scene.frame_current = scene.frame_start
    return strip


def build_scene(audio: Path, *, size: int = 320) -> tuple[bpy.types.Object, bpy.types.Strip]:
    obj = make_face.build_face_scene(size=size)
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = FPS, 1.0
    strip = add_sound_strip(scene, audio)
    scene.sync_mode = "AUDIO_SYNC"  # viewport playback keeps the lips on the sound
    return obj, strip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--audio", default=str(HERE / "voice.ogg"), help="speech to bake")
    parser.add_argument("--output", default=str(make_face.OUT / "scene.blend"))
    args = parser.parse_args(argv)
    audio = Path(args.audio).resolve()
    if not audio.is_file():
        print(f"build_scene: error: {audio}: no such audio file", file=sys.stderr)
        return 2
    obj, strip = build_scene(audio)
    out = Path(args.output).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(out))
    scene = bpy.context.scene
    print(f"wrote {out}: object '{obj.name}', strip '{strip.name}', "
          f"frames {scene.frame_start}-{scene.frame_end} at {FPS} fps")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
