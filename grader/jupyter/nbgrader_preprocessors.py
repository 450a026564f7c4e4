"""The nbgrader preprocessor that makes the score of record come from the grader's trusted process.

nbgrader runs test cells in the student's kernel, where a notebook can patch anything (a
notebook that sets ``np.allclose = lambda *a, **k: True`` gets full marks from plain
nbgrader), and a kernel runs with the instructor's rights. This course's autograde runs no
kernel: TrustedScores, in nbgrader's own process, grades the notebook's answer cells with the
kit's checks, sandboxed, on every exercise of the assignment (course.yaml decides, not the
notebook's cells), and writes each test cell's outputs (the feedback and the score). A test
cell the student deleted, unmarked or retyped is put back at the end of the notebook, so
nbgrader records every exercise's score and the maximum never changes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from nbformat import v4
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

from grader.course import load_course
from grader.errors import GraderError
from grader.jupyter.in_notebook import report_text
from grader.jupyter.notebook import test_cell
from grader.jupyter.submission import write_notebook_modules
from grader.grading.results import SubmissionResult
from grader.references.secret import folder_for, problem_with


def _grade_id(cell) -> str | None:
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return nbgrader.get("grade_id") if cell.cell_type == "code" and nbgrader.get("grade") else None


class KeepFirstCells(NbGraderPreprocessor):
    """Before nbgrader's DeduplicateIds: a cell whose grade_id came earlier loses its nbgrader metadata.

    nbgrader's own step leaves an empty ``nbgrader`` entry on a duplicate, which its next check takes for
    an old metadata format and refuses the whole notebook: a student could get their notebook refused by
    copying a cell. Without the entry, the copy is a plain cell, and the first one counts.
    """

    def preprocess(self, nb, resources):
        seen = set()
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id is None:
                continue
            if grade_id in seen:
                del cell.metadata["nbgrader"]
            seen.add(grade_id)
        return nb, resources


class TrustedScores(NbGraderPreprocessor):
    """Grade the answer cells in this process and set every exercise test cell's outputs and score."""

    course_file = Unicode("", help="The course.yaml the notebooks were built from.").tag(config=True)
    secret_folder = Unicode("", help="The course secret's folder: the grade-time inputs.").tag(config=True)
    sandbox = Bool(True, help="Grade in bubblewrap (where it is installed).").tag(config=True)

    def preprocess(self, nb, resources):
        from grader.grading.submission import grade_submission

        course = load_course(self.course_file or None)
        secret = Path(self.secret_folder) if self.secret_folder else folder_for(course, Path(self.course_file))
        problem = problem_with(secret, course)
        if problem:
            raise GraderError(problem)
        assignment = resources.get("nbgrader", {}).get("assignment")
        if assignment:
            course = course.only_assignment(assignment)
        exercises = course.exercises()
        cells = {}
        for cell in nb.cells:
            grade_id = _grade_id(cell)
            if grade_id in {exercise.name for exercise in exercises} and grade_id not in cells:
                cells[grade_id] = cell
        for exercise in exercises:
            if exercise.name not in cells:
                self.log.warning("The test cell of %s is missing or was changed; it is put back.", exercise.name)
                cells[exercise.name] = test_cell(exercise)
                nb.cells.append(cells[exercise.name])
        student = resources.get("nbgrader", {}).get("student") or "notebook"
        with tempfile.TemporaryDirectory(prefix="grader-nbgrader-") as scratch:
            folder = write_notebook_modules(nb, Path(scratch) / student, course, "the submitted notebook")
            result = grade_submission(folder, course, sandbox=None if self.sandbox else False, secret=secret)
        for exercise in result.exercises:
            one = SubmissionResult(result.submission, (exercise,))
            cell = cells[exercise.name]
            cell.outputs = [
                v4.new_output("stream", name="stdout", text=report_text(one)),
                v4.new_output("execute_result", data={"text/plain": repr(float(one.score))},
                              execution_count=cell.get("execution_count")),
            ]
        return nb, resources
