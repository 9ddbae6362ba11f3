"""Turn a baked demo .blend into something to look at: preview.png and, when possible, an MP4.

    python demo/preview.py [--blend demo/out/demo.blend] [--output demo/out/preview.png]
                           [--video demo/out/demo.mp4 | --no-video] [--title TEXT]

preview.png: rendered frames of the face at key moments (rest, widest jaw, closed lips, rounded
lips, smile, and from the secondary-motion layer a blink and a brow raise) above the main curves
over the waveform. The curves are read back from the .blend by
evaluating the scene at every frame, so the picture shows what was baked, not what was intended.
The MP4 (H.264 + AAC) is rendered by Blender's own FFmpeg, at low resolution.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import bpy
import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
FACE = "DemoFace"
#: Curves drawn in the plot: (label, shape keys averaged, colour).
CURVES = (
    ("jawOpen", ("jawOpen",), "#d62728"),
    ("mouthClose", ("mouthClose",), "#1f77b4"),
    ("mouthFunnel", ("mouthFunnel",), "#2ca02c"),
    ("mouthPucker", ("mouthPucker",), "#9467bd"),
    ("mouthSmile (L+R)/2", ("mouthSmileLeft", "mouthSmileRight"), "#ff7f0e"),
    ("eyeBlink (L+R)/2", ("eyeBlinkLeft", "eyeBlinkRight"), "#7f7f7f"),
    ("browInnerUp", ("browInnerUp",), "#8c564b"),
)


def read_curves(scene, obj) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Evaluate the scene at every frame: (frames, {shape key: values})."""
    blocks = obj.data.shape_keys.key_blocks[1:]
    frames = np.arange(scene.frame_start, scene.frame_end + 1)
    values = np.zeros((len(frames), len(blocks)))
    for i, frame in enumerate(frames):
        scene.frame_set(int(frame))
        values[i] = [kb.value for kb in blocks]
    return frames, {kb.name: values[:, j] for j, kb in enumerate(blocks)}


def sound_of(scene):
    """(path, first frame) of the scene's first sound strip."""
    strips = [s for s in scene.sequence_editor.strips_all if s.type == "SOUND"]
    if not strips:
        raise SystemExit("preview: error: the scene has no sound strip")
    snd = strips[0].sound
    path = os.path.normpath(bpy.path.abspath(snd.filepath, library=snd.library))
    return path, strips[0].frame_start


def speech_activity(samples: np.ndarray, rate: int, frames: np.ndarray, start: float,
                    fps: float) -> np.ndarray:  # fmt: skip
    """True where a frame is loud: RMS above 10 % of the loudest frame."""
    rms = np.zeros(len(frames))
    for i, f in enumerate(frames):
        a, b = (int(((f - start + d) / fps) * rate) for d in (0, 1))
        chunk = samples[max(a, 0) : max(b, 0)]
        rms[i] = np.sqrt(np.mean(chunk**2)) if len(chunk) else 0.0
    return rms > 0.1 * rms.max() if rms.max() > 0 else np.zeros(len(rms), bool)


def key_moments(curves: dict[str, np.ndarray], loud: np.ndarray) -> list[tuple[int, str]]:
    """Indices of telling frames, each with a caption; frames are kept at least 4 apart.

    ``loud`` marks frames with speech. Shapes are looked for within 2 frames of speech. A lip
    closure (b, m, p) is the deepest dip of the lip gap between open frames on both sides
    (within 5 frames) with speech on both sides, so a mouth closing at the end of a phrase or
    in a pause does not count.
    """
    c = curves
    n = len(loud)
    active = np.convolve(loud, np.ones(5), mode="same") > 0
    speech = active if active.any() else np.ones(n, bool)
    before = np.array([loud[max(i - 4, 0) : i].any() for i in range(n)])
    after = np.array([loud[i + 1 : i + 5].any() for i in range(n)])
    inside = before & after if (before & after).any() else speech
    gap = (np.maximum(c["jawOpen"] - c["mouthClose"], 0) + c["mouthLowerDownLeft"]
           + c["mouthLowerDownRight"] + c["mouthUpperUpLeft"] + c["mouthUpperUpRight"])  # fmt: skip
    left = np.array([gap[max(i - 5, 0) : i].max(initial=0) for i in range(n)])
    right = np.array([gap[i + 1 : i + 6].max(initial=0) for i in range(n)])
    dip = np.minimum(left, right) - gap
    mouth = sum(c[k] for k in c if k.startswith(("mouth", "jaw")))
    rest = np.where(~active, mouth, np.inf) if (~active).any() else mouth
    wanted = (
        ("rest", rest, "min", None),
        ("jaw open", np.where(speech, c["jawOpen"], -np.inf), "max", "jawOpen"),
        ("lips closed (b, m, p)", np.where(inside, dip, -np.inf), "max", "jawOpen"),
        ("rounded lips (oo)", np.where(speech, c["mouthFunnel"] + c["mouthPucker"], -np.inf),
         "max", "mouthPucker"),
        ("smile", np.where(speech, c["mouthSmileLeft"] + c["mouthSmileRight"], -np.inf),
         "max", "mouthSmileLeft"),
        ("blink", c["eyeBlinkLeft"] + c["eyeBlinkRight"], "max", "eyeBlinkLeft"),
        ("brow raise", c["browInnerUp"], "max", "browInnerUp"),
    )  # fmt: skip
    picked: list[tuple[int, str]] = []
    for caption, score, how, shown in wanted:
        score = score.astype(float).copy()
        for index, _ in picked:
            score[max(index - 4, 0) : index + 5] = np.inf if how == "min" else -np.inf
        index = int(np.argmin(score) if how == "min" else np.argmax(score))
        if not np.isfinite(score[index]):
            continue
        if shown:
            caption += f"\n{shown} {c[shown][index]:.2f}"
        picked.append((index, caption))
    return picked


def render_still(scene, frame: int, path: Path, size: int) -> np.ndarray:
    """One frame, framed closer than the video (brows to chin) and with 8x anti-aliasing."""
    import matplotlib.image as mpimg

    cam = scene.camera.data
    lens, shift = cam.lens, cam.shift_y
    cam.lens, cam.shift_y = lens * 1.15, shift - 0.11
    scene.frame_set(frame)
    scene.render.resolution_x = scene.render.resolution_y = size
    scene.display.render_aa = "8"
    scene.render.image_settings.file_format = "PNG"
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)
    cam.lens, cam.shift_y = lens, shift
    return mpimg.imread(str(path))


def draw_preview(tiles, moments, frames, curves, fps, wave, title: str, output: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(14, 7.0), dpi=100)
    grid = fig.add_gridspec(2, len(tiles), height_ratios=(1.0, 1), hspace=0.16, wspace=0.04,
                            left=0.05, right=0.97, top=0.90, bottom=0.08)  # fmt: skip
    fig.suptitle(title, fontsize=14)
    t = (frames - frames[0]) / fps
    for n, (tile, (index, caption)) in enumerate(zip(tiles, moments, strict=True)):
        ax = fig.add_subplot(grid[0, n])
        ax.imshow(tile)
        ax.set_xticks([])
        ax.set_yticks([])
        letter = chr(ord("A") + n)
        ax.set_title(f"{letter}  {t[index]:.2f} s: {caption}", fontsize=9, loc="left")
    ax = fig.add_subplot(grid[1, :])
    samples, rate, offset = wave
    # Min/max per 5 ms: a filled envelope reads better than 400 000 samples.
    hop = max(1, rate // 200)
    count = len(samples) // hop
    blocks = samples[: count * hop].reshape(count, hop)
    peak = max(float(np.abs(samples).max()), 1e-6)
    tw = np.arange(count) * hop / rate + offset
    # NeuroSync's weights rarely pass 0.3: scale the axis to the curves, not to [0, 1].
    plotted = [np.mean([curves[k] for k in names], axis=0) for _, names, _ in CURVES]
    top = min(1.0, max(0.3, float(np.ceil(max(p.max() for p in plotted) * 11) / 10)))
    mid, half = top / 2, top * 0.46
    ax.fill_between(tw, mid + half * blocks.min(1) / peak, mid + half * blocks.max(1) / peak,
                    color="0.85", lw=0, label="waveform")  # fmt: skip
    for (label, _, color), values in zip(CURVES, plotted, strict=True):
        ax.plot(t, values, color=color, lw=1.6, label=label)
    for n, (index, _) in enumerate(moments):
        ax.axvline(t[index], color="0.3", ls="--", lw=0.8)
        ax.text(
            t[index],
            top * 0.985,
            chr(ord("A") + n),
            ha="center",
            va="top",
            fontsize=10,
            weight="bold",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"),
        )
    ax.set_xlim(t[0], t[-1])
    ax.set_ylim(0, top)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("shape-key value")
    ax.legend(loc="lower center", ncol=8, fontsize=9, frameon=False, bbox_to_anchor=(0.5, 1.0))
    ax.grid(alpha=0.25)
    fig.savefig(output)
    plt.close(fig)


def render_video(scene, output: Path, size: int) -> bool:
    """MP4 (H.264, AAC from the sound strip) through Blender's FFmpeg; False if unavailable."""
    if not bpy.app.build_options.codec_ffmpeg:
        print("preview: Blender was built without FFmpeg: no video", file=sys.stderr)
        return False
    r = scene.render
    settings = r.image_settings
    if hasattr(settings, "media_type"):  # 5.0 groups formats by media type
        settings.media_type = "VIDEO"
    settings.file_format = "FFMPEG"
    r.ffmpeg.format = "MPEG4"
    r.ffmpeg.codec = "H264"
    r.ffmpeg.constant_rate_factor = "MEDIUM"
    r.ffmpeg.audio_codec = "AAC"
    r.ffmpeg.audio_bitrate = 128
    r.ffmpeg.audio_channels = "MONO"
    r.resolution_x = r.resolution_y = size
    scene.display.render_aa = "FXAA"  # 8x AA would cost ~8x per frame
    r.filepath = str(output)
    r.use_file_extension = False
    bpy.ops.render.render(animation=True)
    return output.is_file()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blend", default=str(OUT / "demo.blend"))
    parser.add_argument("--object", default=FACE)
    parser.add_argument("--output", default=str(OUT / "preview.png"))
    parser.add_argument("--video", default=str(OUT / "demo.mp4"))
    parser.add_argument("--no-video", action="store_true")
    parser.add_argument("--tile-size", type=int, default=300)
    parser.add_argument("--video-size", type=int, default=320)
    parser.add_argument("--title", default="NeuroSync Lip Sync: demo bake")
    args = parser.parse_args(argv)
    from neurosync_lipsync.core.audio import read_audio

    started = time.monotonic()
    bpy.ops.wm.open_mainfile(filepath=str(Path(args.blend).resolve()))
    scene = bpy.context.scene
    obj = bpy.data.objects.get(args.object)
    if obj is None or obj.data.shape_keys is None:
        print(f"preview: error: no mesh '{args.object}' with shape keys", file=sys.stderr)
        return 2
    fps = scene.render.fps / scene.render.fps_base
    frames, curves = read_curves(scene, obj)
    path, strip_start = sound_of(scene)
    audio = read_audio(path)
    loud = speech_activity(audio.samples, audio.rate, frames, strip_start, fps)
    moments = key_moments(curves, loud)
    with tempfile.TemporaryDirectory() as tmp:
        tiles = [render_still(scene, int(frames[i]), Path(tmp, f"{i}.png"), args.tile_size)
                 for i, _ in moments]  # fmt: skip
    wave = (audio.samples, audio.rate, (strip_start - frames[0]) / fps)
    output = Path(args.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    draw_preview(tiles, moments, frames, curves, fps, wave, args.title, output)
    print(f"wrote {output} ({time.monotonic() - started:.1f} s)")
    if not args.no_video:
        started = time.monotonic()
        video = Path(args.video).resolve()
        if render_video(scene, video, args.video_size):
            print(f"wrote {video} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
