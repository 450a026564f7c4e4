"""The submission corpus under tests/submissions/: folders that overlay the reference solutions.

Each folder holds only the modules that differ from the solutions; assemble() copies the
solutions, then the folder's .py files over them, so every entry has exactly its own bug.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).parent / "submissions"
SOLUTIONS = Path(__file__).parents[1] / "solutions"


def entries(kind: str) -> list[Path]:
    return sorted(p for p in (ROOT / kind).iterdir() if p.is_dir())


def expectation(entry: Path) -> dict:
    return yaml.safe_load((entry / "expect.yaml").read_text())


def assemble(entry: Path, into: Path) -> Path:
    """A full submission folder: the solutions with ``entry``'s modules on top."""
    target = into / entry.name
    target.mkdir(parents=True)
    for source in (*SOLUTIONS.glob("*.py"), *entry.glob("*.py")):
        shutil.copy(source, target / source.name)
    return target
