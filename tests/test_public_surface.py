"""Packages meet through their public surface: no module takes a private name from another
package, and every package that others import says what it offers in ``__all__``."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import civicspace

ROOT = Path(civicspace.__file__).parent


def _package_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _cross_package_imports() -> Iterator[tuple[str, int, str, str, str]]:
    """``(file, line, importing package, module, name)`` for each import across packages."""
    for path in sorted(ROOT.rglob("*.py")):
        own = _package_of(path)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            parts = node.module.split(".")
            if parts[0] != "civicspace" or len(parts) < 2 or parts[1] == own:
                continue
            for alias in node.names:
                yield str(path.relative_to(ROOT)), node.lineno, own, node.module, alias.name


def test_no_private_name_is_imported_across_packages() -> None:
    private = [
        f"{file}:{line}: {module}.{name}"
        for file, line, _own, module, name in _cross_package_imports()
        if name.startswith("_") or any(p.startswith("_") for p in module.split(".")[1:])
    ]
    assert private == []


def test_packages_imported_by_others_declare_their_public_surface() -> None:
    imported = {module.split(".")[1] for *_rest, module, _name in _cross_package_imports()}
    missing = [
        name
        for name in sorted(imported)
        if (ROOT / name / "__init__.py").exists()
        and "__all__" not in (ROOT / name / "__init__.py").read_text("utf-8")
    ]
    assert missing == []


def test_names_taken_from_a_package_are_in_its_all() -> None:
    """``from civicspace.crypto import Sealed`` needs ``Sealed`` in ``crypto.__all__``; a
    module with its own ``__all__`` is held to it too."""
    outside = []
    for file, line, _own, module, name in _cross_package_imports():
        target = importlib.import_module(module)
        exported = getattr(target, "__all__", None)
        is_submodule = hasattr(target, "__path__") and (
            importlib.util.find_spec(f"{module}.{name}") is not None
        )
        if exported is not None and name not in exported and not is_submodule:
            outside.append(f"{file}:{line}: {module}.{name}")
    assert outside == []
