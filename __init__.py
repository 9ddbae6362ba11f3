"""NeuroSync Lip Sync: audio-driven ARKit shape-key animation for Blender.

Importing this package imports neither bpy nor numpy, so ``core`` works without Blender;
Blender's modules are imported in :func:`register`, the engine (numpy, soundfile, soxr) only
when a bake starts. torch is never needed: it is an optional backend.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

#: Registered in this order, unregistered in reverse.
_MODULES = (
    ".ui.properties",
    ".ui.preferences",
    ".operators.generate",
    ".operators.cancel",
    ".operators.take_ops",
    ".operators.import_csv",
    ".ui.panel",
    ".ui.panel_secondary",
)
_cli_handle = None


def _modules():
    return [importlib.import_module(name, __package__) for name in _MODULES]


def _cli_command(argv):
    from .blender_cli import main

    return main(list(argv))


def register() -> None:
    import bpy

    from .ids import CLI_COMMAND

    global _cli_handle
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
