"""course.yaml in nbgrader's gradebook.db: due dates passed on, and changes nbgrader would refuse caught first.

nbgrader cannot add or remove cells of a notebook that has submissions (its SaveCells step refuses), but
``nbgrader generate_assignment --force`` deletes ``release/<assignment>`` before it finds out, leaving the
students nothing to download. `grader nbgrader build` asks the gradebook first, with nbgrader's own rules
(``nbgrader.utils.is_grade`` and friends), and writes nothing when a change would be refused.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat

from grader.course import Course
from grader.errors import GraderError


@contextmanager
def alembic_on_path() -> Iterator[None]:
    """nbgrader runs ``alembic`` by name when it creates a gradebook: find it beside this Python, as the
    course's nbgrader_config.py does for nbgrader's own commands."""
    old = os.environ.get("PATH")
    os.environ["PATH"] = os.pathsep.join(part for part in (str(Path(sys.executable).parent), old) if part)
    try:
        yield
    finally:
        if old is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = old


def cell_names(notebook: nbformat.NotebookNode) -> dict[str, set[str]]:
    """The cells nbgrader records for ``notebook``, by kind, as its SaveCells step sorts them."""
    from nbgrader import utils

    kinds = {"grade": set(), "solution": set(), "task": set(), "source": set()}
    for cell in notebook.cells:
        name = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if name is None:
            continue
        for kind, test in (("grade", utils.is_grade), ("solution", utils.is_solution), ("task", utils.is_task)):
            if test(cell):
                kinds[kind].add(name)
        if utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell) or utils.is_task(cell):
            kinds["source"].add(name)
    return kinds


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(dt.timezone.utc).replace(tzinfo=None)  # nbgrader stores UTC


def sync_gradebook(course: Course, folder: Path, notebooks: dict[str, nbformat.NotebookNode]) -> list[str]:
    """Check ``notebooks`` (assignment id -> the notebook about to be written) against ``folder``'s gradebook and
    record every assignment's due date there; return what changed, as sentences. Raise GraderError, before
    anything is written, if nbgrader would refuse an assignment's new notebook because it has submissions."""
    try:
        from nbgrader.api import Gradebook, MissingEntry
    except ImportError:
        raise GraderError("An nbgrader course needs nbgrader: install the kit with the instructor extra, "
                          "pip install 'nn-matrix-grader[instructor]' (make setup does).") from None

    database = folder / "gradebook.db"
    refused, notes = [], []
    with alembic_on_path(), Gradebook(f"sqlite:///{database}", course.nbgrader.course_id) as gradebook:
        for assignment in course.assignments:
            try:
                recorded = gradebook.find_assignment(assignment.id)
            except MissingEntry:
                continue
            for notebook in recorded.notebooks:
                if notebook.name != assignment.id or not notebook.submissions:
                    continue
                new = cell_names(notebooks[assignment.id])
                old = {"grade": {c.name for c in notebook.grade_cells},
                       "solution": {c.name for c in notebook.solution_cells},
                       "task": {c.name for c in notebook.task_cells},
                       "source": {c.name for c in notebook.source_cells}}
                added = set().union(*new.values()) - set().union(*old.values())
                removed = set().union(*old.values()) - set().union(*new.values())
                if new != old:
                    what = "; ".join(part for part in (
                        f"it adds {', '.join(sorted(added))}" if added else "",
                        f"it removes {', '.join(sorted(removed))}" if removed else "",
                        "it changes which cells are graded, answers or read-only" if not (added or removed) else "",
                    ) if part)
                    refused.append(
                        f"{assignment.id} has {len(notebook.submissions)} submission(s) in {database}, and nbgrader "
                        f"cannot add or remove cells of a notebook with submissions ({what}); "
                        f"`nbgrader generate_assignment --force` would delete release/{assignment.id} and then refuse."
                    )
                    continue
                max_scores = {c.name: c.max_score for c in notebook.grade_cells}
                points = {cell.metadata.nbgrader["grade_id"]: float(cell.metadata.nbgrader["points"])
                          for cell in notebooks[assignment.id].cells
                          if cell.get("metadata", {}).get("nbgrader", {}).get("grade")}
                changed = sorted(name for name in points if max_scores.get(name) != points[name])
                if changed:
                    notes.append(f"{assignment.id}: the points of {', '.join(changed)} change, and it has "
                                 f"{len(notebook.submissions)} submission(s); after `nbgrader generate_assignment "
                                 f"{assignment.id} --force`, run `nbgrader autograde {assignment.id} --force` so every "
                                 "score is on the new points.")
        if refused:
            raise GraderError(
                "The nbgrader course was not changed:\n  - " + "\n  - ".join(refused)
                + "\nPut the change in a new assignment (a new id in course.yaml): the released notebooks and the "
                "grades recorded so far stay as they are."
            )
        for assignment in course.assignments:
            due = _naive_utc(course.due_at(assignment))
            try:
                before = gradebook.find_assignment(assignment.id).duedate
            except MissingEntry:
                if due is None:
                    continue
                before = None
            if before != due:
                gradebook.update_or_create_assignment(assignment.id, duedate=due)
                notes.append(f"{assignment.id}: due {due:%Y-%m-%d %H:%M:%S} UTC in the gradebook"
                             if due else f"{assignment.id}: no due date in the gradebook")
    return notes
