"""NeuroSync Lip Sync: audio-driven ARKit shape-key animation for Blender.

Importing this package imports neither bpy nor torch, so ``core`` works without Blender;
Blender's modules are imported in :func:`register`, torch and librosa only when a bake starts.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

log = logging.getLogger(__name__)

#: Registered in this order, unregistered in reverse.
_MODULES = (
    ".ui.properties",
    ".ui.preferences",
    ".operators.generate",
    ".operators.cancel",
    ".operators.import_csv",
    ".ui.panel",
)
_cli_handle = None


def _modules():
    return [importlib.import_module(name, __package__) for name in _MODULES]


def _use_extension_numba_cache() -> None:
    """librosa's numba cache goes to the extension's writable user folder when installed.

    Blender's or the extension's site-packages may be read-only, where librosa would fail with
    "cannot cache function". This must happen before numba is imported.
    """
    import bpy

    if "NUMBA_CACHE_DIR" in os.environ:
        return
    try:
        path = bpy.utils.extension_path_user(__package__, path="numba_cache", create=True)
    except ValueError:  # not loaded as an extension (a development checkout): numba's default
        return
    os.environ["NUMBA_CACHE_DIR"] = path
    if "numba" in sys.modules:
        sys.modules["numba"].config.reload_config()


def _cli_command(argv):
    from .cli import main

    return main(list(argv))


def register() -> None:
    import bpy

    from .operators.ids import CLI_COMMAND

    global _cli_handle
    _use_extension_numba_cache()
    for module in _modules():
        module.register()
    if hasattr(bpy.utils, "register_cli_command") and _cli_handle is None:
        _cli_handle = bpy.utils.register_cli_command(CLI_COMMAND, _cli_command)


def unregister() -> None:
    import bpy

    global _cli_handle
    if _cli_handle is not None:
        bpy.utils.unregister_cli_command(_cli_handle)
        _cli_handle = None
    for module in reversed(_modules()):
        module.unregister()
