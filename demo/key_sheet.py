"""Render every shape key of the demo face at full strength on one sheet (a check of the face).

    python demo/key_sheet.py [--output demo/out/key_sheet.png] [--size 160]

About 20 s on two cores (53 small Workbench renders).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_face  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=str(make_face.OUT / "key_sheet.png"))
    parser.add_argument("--size", type=int, default=160)
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    obj = make_face.build_face_scene(size=args.size)
    scene = bpy.context.scene
    blocks = obj.data.shape_keys.key_blocks
    names = ["rest"] + [kb.name for kb in blocks[1:]]
    images = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            for kb in blocks[1:]:
                kb.value = 1.0 if kb.name == name else 0.0
            scene.render.filepath = str(Path(tmp, f"{name}.png"))
            bpy.ops.render.render(write_still=True)
            images.append(mpimg.imread(scene.render.filepath))
    cols = 9
    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.9, rows * 2.0))
    for ax in axes.flat:
        ax.axis("off")
    for ax, name, image in zip(axes.flat, names, images, strict=False):
        ax.imshow(image)
        ax.set_title(name, fontsize=8)
    fig.tight_layout()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.output, dpi=80)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
