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


def _recorded_cells(notebook) -> dict[str, set[str]]:
    return {"grade": {c.name for c in notebook.grade_cells}, "solution": {c.name for c in notebook.solution_cells},
            "task": {c.name for c in notebook.task_cells}, "source": {c.name for c in notebook.source_cells}}


def _refusal(assignment_id: str, notebook, new: nbformat.NotebookNode, database: Path) -> str | None:
    """Why nbgrader would refuse ``new`` as the notebook of an assignment with submissions, if it would."""
    cells, old = cell_names(new), _recorded_cells(notebook)
    if cells == old:
        return None
    added = set().union(*cells.values()) - set().union(*old.values())
    removed = set().union(*old.values()) - set().union(*cells.values())
    what = "; ".join(part for part in (
        f"it adds {', '.join(sorted(added))}" if added else "",
        f"it removes {', '.join(sorted(removed))}" if removed else "",
        "it changes which cells are graded, answers or read-only" if not (added or removed) else "",
    ) if part)
    return (f"{assignment_id} has {len(notebook.submissions)} submission(s) in {database}, and nbgrader cannot add or "
            f"remove cells of a notebook with submissions ({what}); `nbgrader generate_assignment --force` would "
            f"delete release/{assignment_id} and then refuse.")


def _notes(assignment_id: str, notebook, new: nbformat.NotebookNode) -> list[str]:
    """What a rebuild changes in an assignment with submissions that nbgrader accepts, and what autograde then says."""
    count, notes = len(notebook.submissions), []
    rerun = (f"after `nbgrader generate_assignment {assignment_id} --force`, run `nbgrader autograde "
             f"{assignment_id} --force`")
    max_scores = {c.name: c.max_score for c in notebook.grade_cells}
    sources = {c.name: c.source for c in notebook.source_cells}
    points, changed_text = {}, []
    for cell in new.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            points[meta["grade_id"]] = float(meta["points"])
        if meta.get("locked") and not meta.get("solution") and sources.get(meta.get("grade_id")) != cell.source:
            changed_text.append(meta["grade_id"])
    repointed = sorted(name for name in points if max_scores.get(name) != points[name])
    if repointed:
        notes.append(f"{assignment_id}: the points of {', '.join(repointed)} change, and it has {count} "
                     f"submission(s); {rerun} so every score is on the new points (autograde then says "
                     "\"Attribute 'points' for cell ... has changed\" for each earlier submission: expected).")
    if changed_text:
        notes.append(f"{assignment_id}: the text of the read-only cells {', '.join(changed_text)} changes, and it "
                     f"has {count} submission(s); {rerun}, and autograde puts the new text into each earlier "
                     "submission, saying \"Attribute 'checksum' for cell ... has changed\": expected, no student "
                     "changed them.")
    return notes


def sync_gradebook(course: Course, folder: Path, notebooks: dict[str, nbformat.NotebookNode]) -> list[str]:
    """Check ``notebooks`` (assignment id -> the notebook about to be written) against ``folder``'s gradebook and
    record every assignment's due date there; return what changed, as sentences. Raise GraderError, before
    anything is written, if nbgrader would refuse an assignment's new notebook because it has submissions, if an
    assignment with submissions left the course, or if the gradebook cannot be read."""
    try:
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:
        raise GraderError("An nbgrader course needs nbgrader: install the kit with the instructor extra, "
                          "pip install 'nn-matrix-grader[instructor]' (make setup does).") from None

    database = folder / "gradebook.db"
    try:
        with alembic_on_path(), Gradebook(f"sqlite:///{database}", course.nbgrader.course_id) as gradebook:
            return _sync(gradebook, course, database, notebooks)
    except SQLAlchemyError as error:
        raise GraderError(f"{database} cannot be read as nbgrader's gradebook ({type(error).__name__}: "
                          f"{str(error).splitlines()[0]}). If it is damaged, restore it from a backup, or move it "
                          "aside to start the gradebook afresh.") from None


def _sync(gradebook, course: Course, database: Path, notebooks: dict) -> list[str]:
    from nbgrader.api import MissingEntry

    refused, notes = [], []
    listed = {assignment.id for assignment in course.assignments}
    for recorded in gradebook.assignments:
        if recorded.name not in listed and recorded.submissions:
            refused.append(f"{recorded.name} has {len(recorded.submissions)} submission(s) in {database}, and "
                           "course.yaml no longer lists it: autograde would delete its graded notebooks and then "
                           "stop. Keep it in course.yaml while its submissions matter.")
    for assignment in course.assignments:
        try:
            recorded = gradebook.find_assignment(assignment.id)
        except MissingEntry:
            continue
        for notebook in recorded.notebooks:
            if notebook.name != assignment.id or not notebook.submissions:
                continue
            refusal = _refusal(assignment.id, notebook, notebooks[assignment.id], database)
            if refusal:
                refused.append(refusal)
            else:
                notes += _notes(assignment.id, notebook, notebooks[assignment.id])
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
