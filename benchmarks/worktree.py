"""Another commit of the kit, checked out beside this one, to time both in one run (side_by_side.py,
bench_grading.py --before).

The commit goes into a temporary git worktree and runs from there with this checkout's Python environment:
``PYTHONPATH`` puts its ``grader`` package before the one installed (editable) from this checkout.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


@contextmanager
def checked_out(revision: str, folder: Path) -> Iterator[Path]:
    """REVISION checked out (detached) into FOLDER for as long as the ``with`` lasts; then removed."""
    done = subprocess.run(["git", "worktree", "add", "--detach", "--force", str(folder), revision], cwd=PROJECT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"git could not check out {revision!r}: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=PROJECT, capture_output=True)


def tree_env(tree: Path, **extra: str) -> dict:
    """This environment, running the kit of TREE."""
    return dict(os.environ, PYTHONPATH=str(tree), **extra)


def short_revision(tree: Path) -> str:
    """TREE's commit, abbreviated."""
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True,
                          text=True).stdout.strip()
