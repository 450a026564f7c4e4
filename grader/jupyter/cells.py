"""nbgrader cells: each kind with the metadata nbgrader expects (schema version 3)."""

from __future__ import annotations

import nbformat
from nbformat import v4


def _nbgrader(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = True,
              points: float | None = None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def story(grade_id: str, text: str) -> nbformat.NotebookNode:
    """A read-only explanation."""
    return v4.new_markdown_cell(text.strip(), metadata=_nbgrader(grade_id))


def demo(grade_id: str, source: str) -> nbformat.NotebookNode:
    """Read-only code that tells the story (data, Keras, plots)."""
    return v4.new_code_cell(source.strip(), metadata=_nbgrader(grade_id))


def answer(grade_id: str, source: str) -> nbformat.NotebookNode:
    """The student's cell: nbgrader replaces the solution region with a stub on release."""
    return v4.new_code_cell(source.strip(), metadata=_nbgrader(grade_id, solution=True, locked=False))


def tests(grade_id: str, source: str, points: float) -> nbformat.NotebookNode:
    """An autograded, read-only test cell worth ``points``; its last value is the score it gives."""
    return v4.new_code_cell(source.strip(), metadata=_nbgrader(grade_id, grade=True, points=points))
