"""A static look for forbidden imports: the libraries an exercise is about writing by hand.

The worker also refuses such imports at run time (an audit hook); this look, in the
grader's process, catches them before any student code runs and says where they are.
"""

from __future__ import annotations

import ast
from pathlib import Path

DYNAMIC_IMPORTERS = {"__import__", "import_module"}


def _imported_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in DYNAMIC_IMPORTERS and node.args and isinstance(node.args[0], ast.Constant):
            value = node.args[0].value
            return [value] if isinstance(value, str) else []
    return []


def _is_forbidden(name: str, forbidden: tuple[str, ...]) -> str | None:
    return next((f for f in forbidden if name == f or name.startswith(f + ".")), None)


def imports_in(folder: Path, module: str):
    """Each import in ``module`` and in every module of ``folder`` it imports, in turn: (file, line, name), each file
    read once. A file that does not parse is left out (grading reports the syntax error itself)."""
    seen, queue = set(), [module]
    while queue:
        name = queue.pop()
        path = folder / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            for imported in _imported_names(node):
                yield path, node.lineno, imported
                queue.append(imported.split(".")[0])


def forbidden_imports(folder: Path, module: str, forbidden: tuple[str, ...]) -> list[str]:
    """Each forbidden import in ``module`` and the submission's modules it imports: 'file.py, line N: name'."""
    found = []
    for path, line, imported in imports_in(folder, module):
        hit = _is_forbidden(imported, forbidden)
        if hit and f"{path.name}, line {line}: {hit}" not in found:
            found.append(f"{path.name}, line {line}: {hit}")
    return found
