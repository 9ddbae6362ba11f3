"""Headless lip sync: bake sound strips, import Live Link Face CSVs, export glTF.

    blender -b scene.blend --python blender_cli.py -- --strip S --object O [--model M] [--output P]
    python blender_cli.py --blend scene.blend --strip NAME --object NAME [--output OUT.blend]  (bpy)
    python blender_cli.py --blend scene.blend --all [--object NAME] [--output OUT.blend]
    python blender_cli.py --blend IN --object Face --import-csv TAKE.csv [--frame N] [--output OUT]
    python blender_cli.py ... --export-gltf OUT.glb    (the takes, merged, as morph-target weights)
    python blender_cli.py ... --armature RIG --head-bone B [--left-eye-bone L --right-eye-bone R]
    blender -c lipsync --blend scene.blend --all                        (installed extension)

``--all`` pairs each sound strip with the faces (meshes with mapped shape keys) whose name is a
whole word of the strip's name, words split at ``_ - .`` and spaces, case ignored: "Anna_line1"
goes onto "Anna", never onto "Ann"; a strip naming no face is skipped and reported. Every paired
strip is baked even when another fails; the rest is saved and a per-strip summary printed.

The .blend is saved in place, or to ``--output``; with ``--export-gltf`` and no ``--output`` only
the .glb is written. ``--import-csv`` keys the CSV's first row at ``--frame`` (default: the
scene's start frame). Outputs are written to a temp file beside the target, checked and renamed
into place: on any failure, SIGTERM or SIGINT the previous file stays.

Exit status: 0 when everything asked for was written; 2 for bad arguments, inputs or scene
(checked before any work); 1 for a failure during the work; 130/143 after SIGINT/SIGTERM. An
error is one line on stderr, as are warnings (a muted strip, unmatched channels).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

PACKAGE = "neurosync_lipsync"


def _package():
    """The extension: this package, the enabled extension, an installed checkout, or this folder."""
    if __package__:
        return importlib.import_module(__package__)
    for name, module in list(sys.modules.items()):
        if name.startswith("bl_ext.") and name.endswith("." + PACKAGE):
            return module
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        module = importlib.import_module(PACKAGE)
        if os.path.dirname(os.path.abspath(module.__file__)) == here:
            return module
    except ImportError:
        pass
    spec = importlib.util.spec_from_file_location(
        PACKAGE, os.path.join(here, "__init__.py"), submodule_search_locations=[here]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return module


def _argv(argv):
    if argv is not None:
        return list(argv)
    return sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else sys.argv[1:]


def main(argv=None) -> int:
    """Run the CLI; returns the exit status (see the module docstring)."""
    package = _package()
    headless = importlib.import_module(package.__name__ + ".blender.headless")
    return headless.main(_argv(argv))


if __name__ == "__main__":
    code = main()
    if code:
        sys.exit(code)
