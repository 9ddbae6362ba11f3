"""The layers import only downwards: core <- blender <- operators, ui.

Every module's imports are read with ``ast`` (nothing is imported), relative ones resolved against
the module's own package, so ``from ..ui import x``, ``from .. import ui`` and
``import neurosync_lipsync.ui`` all count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "neurosync_lipsync"
#: The extension's subpackages (the repo root is the package ``neurosync_lipsync``).
LAYERS = ("core", "blender", "operators", "ui")


def _package_of(path: Path) -> tuple[str, ...]:
    """The package a module's relative imports start from (a package's own, for __init__)."""
    return path.relative_to(ROOT).with_suffix("").parts[:-1]


def imported(source: str, package: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every module ``source`` imports, as parts inside the extension (() is its root).

    Imports from outside the extension (numpy, bpy, ...) are left out.
    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = tuple(alias.name.split("."))
                if parts[0] == PACKAGE:
                    found.add(parts[1:])
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = tuple((node.module or "").split("."))
                if parts[0] != PACKAGE:
                    continue
                base = parts[1:]
            else:
                if node.level - 1 > len(package):
                    raise AssertionError(f"import climbs above the extension in {package}")
                base = package[: len(package) - (node.level - 1)]
                base += tuple(node.module.split(".")) if node.module else ()
            found.add(base)
            found.update(base + (alias.name,) for alias in node.names)
    return found


def _modules(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


def _layer(parts: tuple[str, ...]) -> str:
    return parts[0] if parts and parts[0] in LAYERS else ""


def _violations(folder: str, forbidden) -> list[str]:
    out = []
    for path in _modules(folder):
        for target in imported(path.read_text(), _package_of(path)):
            if forbidden(target):
                out.append(f"{path.relative_to(ROOT)} imports {'.'.join(target) or '(root)'}")
    return out


def test_the_layers_exist():
    for folder in LAYERS:
        assert (ROOT / folder / "__init__.py").is_file(), folder
        assert len(_modules(folder)) >= 3, folder


def test_no_operator_imports_ui():
    assert _violations("operators", lambda t: _layer(t) == "ui") == []


def test_the_bake_layer_imports_neither_operators_nor_ui():
    assert _violations("blender", lambda t: _layer(t) in ("operators", "ui")) == []


def test_core_imports_only_core():
    # Anything of the extension outside core/: its root modules (ids, blender_cli), the Blender
    # layers, or the root package itself.
    assert _violations("core", lambda t: _layer(t) != "core") == []


def test_the_blender_layers_define_no_exception_of_their_own():
    # One error tree: what the Blender side raises is a NeuroSyncError from core/errors.py.
    paths = [*ROOT.glob("*.py"), *(p for f in LAYERS[1:] for p in _modules(f))]
    own = [
        f"{path.relative_to(ROOT)}: {node.name}"
        for path in paths
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(b).endswith(("Error", "Exception")) for b in node.bases)
    ]
    assert own == []


def test_the_blender_errors_are_in_the_tree():
    from neurosync_lipsync.core import errors

    for name in ("BakeError", "KeyingError", "UsageError"):
        assert issubclass(getattr(errors, name), errors.NeuroSyncError), name
    assert all(issubclass(kind, Exception) for kind in errors.REPORTED)


@pytest.mark.parametrize(
    ("source", "package", "expected"),
    [
        ("from ..ui.panel import x", ("operators",), ("ui", "panel")),
        ("from .. import ui", ("operators",), ("ui",)),
        ("import neurosync_lipsync.ui.properties", ("operators",), ("ui", "properties")),
        ("from ...ids import X", ("core", "secondary"), ("ids",)),
        ("from ..ids import X", ("core",), ("ids",)),
        ("from .errors import X", ("core",), ("core", "errors")),
    ],
)
def test_the_reader_resolves_relative_and_absolute_imports(source, package, expected):
    assert expected in imported(source, package)


def test_the_reader_ignores_other_packages():
    assert imported("import numpy as np\nfrom bpy.props import IntProperty", ("core",)) == set()
