"""The hash of the grading: with the submission's own (grader.grading.snapshot), it says whether a submission needs grading again.

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
from grader.references.secret import secret_digest

GRADER_PACKAGE = Path(__file__).parents[1]


@lru_cache(maxsize=None)
def _grader_digest() -> str:
    digest = hashlib.sha256(f"hypothesis {hypothesis.__version__} numpy {np.__version__}".encode())
    for file in sorted(GRADER_PACKAGE.rglob("*")):
        if file.is_file() and file.suffix in (".py", ".npz", ".json") and "__pycache__" not in file.parts:
            digest.update(file.relative_to(GRADER_PACKAGE).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def grading_digest(course: Course, sandbox: bool, secret: Path | None = None) -> str:
    """A hash of everything besides the submission that decides its grade (the grade-time inputs included)."""
    digest = hashlib.sha256(_grader_digest().encode())
    digest.update(course.model_dump_json(exclude={"grading": {"secret_folder"}}).encode())
    digest.update(b"sandboxed" if sandbox else b"not sandboxed")
    digest.update(secret_digest(secret).encode())
    return digest.hexdigest()
