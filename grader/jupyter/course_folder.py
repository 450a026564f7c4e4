"""The nbgrader course folder: nbgrader_config.py and source/<assignment>/<assignment>.ipynb."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader.course import Course
from grader.errors import GraderError
from grader.jupyter.gradebook_sync import sync_gradebook
from grader.jupyter.notebook import assignment_notebook, notebook_path
from grader.authoring.freshness import refuse_stale
from grader.references.secret import folder_for, problem_with

CONFIG = '''"""nbgrader configuration for "{title}", written by `grader nbgrader build`. Rebuild it; do not edit."""

import os
import sys

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds, GetGrades, IgnorePattern,
    LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades,
)

from grader.jupyter.nbgrader_preprocessors import KeepFirstCells, TrustedScores

here = os.path.dirname(os.path.abspath(__file__))
# nbgrader runs `alembic` by name: find it beside the Python running nbgrader, activated or not.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

c = get_config()  # noqa: F821 - nbgrader provides it
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")

# A test cell grades one exercise (a sandboxed worker, {call_timeout:g} s per call at most).
c.Execute.timeout = {cell_timeout}
c.TrustedScores.course_file = {course_file!r}
c.TrustedScores.secret_folder = {secret_folder!r}  # the grade-time inputs: never inside this folder

# A copied test cell must not get the notebook refused (see KeepFirstCells); otherwise nbgrader's own steps.
c.Autograde.sanitize_preprocessors = [
    ClearOutput, KeepFirstCells, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata,
]
# The score of record comes from TrustedScores, in nbgrader's process. Notebooks are never run in a
# kernel here: a kernel would run student code with the instructor's rights (the course, the
# gradebook, other students' files); student code runs only in the grader's sandbox.
c.Autograde.autograde_preprocessors = [
    TrustedScores, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata,
]
# Feedback never shows the hidden tests.
c.GenerateFeedback.preprocessors = [ClearHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
'''


UNUSABLE = "$%?#"
"""Characters nbgrader cannot have in the course folder's path: its config loader expands $VAR (so the folder's
nbgrader_config.py, and with it the sandboxed grading, would silently not load), and the gradebook's sqlite URL
reads %, ? and # as URL syntax."""


def _refuse_unusable_path(out: Path) -> None:
    path = str(out.resolve())
    found = sorted({character for character in path if character in UNUSABLE})
    if found:
        raise GraderError(f"{path} holds {' and '.join(repr(c) for c in found)}, which nbgrader cannot have in a "
                          "course folder's path: it expands $VAR there (so it would not load the folder's "
                          "nbgrader_config.py and would run student notebooks in a kernel), and reads %, ? and # in "
                          "the gradebook's address. Choose a folder whose path has none of $ % ? #.")


@dataclass(frozen=True)
class CourseFolder:
    files: list[Path]  # written
    notes: list[str]  # what changed in the gradebook, as sentences


def build_course_folder(course: Course, course_file: Path, out: Path) -> CourseFolder:
    """Write the nbgrader course folder into ``out`` and pass the due dates on to its gradebook.

    Nothing is written when the course's generated files are not current (grader.authoring.freshness), or when nbgrader
    would refuse a new notebook (an assignment with submissions whose cells change).
    """
    refuse_stale(course, "The nbgrader course")
    _refuse_unusable_path(out)
    notebooks = {assignment.id: assignment_notebook(assignment) for assignment in course.assignments}
    out.mkdir(parents=True, exist_ok=True)
    notes = sync_gradebook(course, out, notebooks)
    secret_problem = problem_with(folder_for(course, course_file), course)
    if secret_problem:
        notes.append(f"nbgrader autograde will refuse to start until this is fixed: {secret_problem}")
    cell_timeout = int(max(120, 20 * course.limits.call_timeout_seconds))
    config = out / "nbgrader_config.py"
    config.write_text(CONFIG.format(
        title=course.title,
        course_id=course.nbgrader.course_id,
        call_timeout=course.limits.call_timeout_seconds,
        cell_timeout=cell_timeout,
        course_file=str(Path(course_file).resolve()),
        secret_folder=str(folder_for(course, course_file)),
    ))
    files = [config]
    for assignment_id, notebook in notebooks.items():
        path = notebook_path(out, assignment_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        files.append(path)
    return CourseFolder(files, notes)
