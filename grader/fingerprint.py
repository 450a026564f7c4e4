"""Content hashes that say whether a submission needs grading again.

A submission is graded again only if its files changed, or the grading did: the course,
the grader's own code, its reference data, or the library versions that draw the inputs.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import hypothesis
import numpy as np

from grader.course import Course

GRADER_PACKAGE = Path(__file__).parent
SKIPPED_PARTS = ("__pycache__", ".ipynb_checkpoints")


def submission_files(path: Path) -> list[Path]:
    """The files that make up a submission (a folder's files, recursively, or the notebook itself), sorted."""
    if path.is_file():
        return [path]
    return sorted(f for f in path.rglob("*") if f.is_file() and not any(
        part.startswith(".") or part in SKIPPED_PARTS for part in f.relative_to(path).parts))


def submission_digest(path: Path) -> str:
    """A hash of the submission's file names and contents."""
    digest = hashlib.sha256()
    for file in submission_files(path):
        name = file.name if path.is_file() else file.relative_to(path).as_posix()
        data = file.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@lru_cache(maxsize=None)
def _grader_digest() -> str:
    digest = hashlib.sha256(f"hypothesis {hypothesis.__version__} numpy {np.__version__}".encode())
    for file in sorted(GRADER_PACKAGE.rglob("*")):
        if file.is_file() and file.suffix in (".py", ".npz", ".json") and "__pycache__" not in file.parts:
            digest.update(file.relative_to(GRADER_PACKAGE).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def grading_digest(course: Course, sandbox: bool) -> str:
    """A hash of everything besides the submission that decides its grade."""
    digest = hashlib.sha256(_grader_digest().encode())
    digest.update(course.model_dump_json().encode())
    digest.update(b"sandboxed" if sandbox else b"not sandboxed")
    return digest.hexdigest()
