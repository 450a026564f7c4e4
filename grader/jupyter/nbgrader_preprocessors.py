"""nbgrader preprocessors: the score of record comes from the grader's trusted process.

nbgrader runs test cells in the student's kernel, where a notebook can patch anything (a
notebook that sets ``np.allclose = lambda *a, **k: True`` gets full marks from plain
nbgrader). These preprocessors run in nbgrader's own process: TrustedScores grades the
notebook's answer cells with the kit's checks, sandboxed, and writes each test cell's
outputs (the feedback and the score) over whatever the kernel produced; SafeExecute keeps
a notebook that kills its kernel from failing the whole autograde.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbformat import v4
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Unicode

from grader.course import load_course
from grader.jupyter.in_notebook import report_text
from grader.jupyter.submission import answer_code, write_modules
from grader.results import SubmissionResult


class SafeExecute(Execute):
    """nbgrader's Execute, except that a dead kernel stops execution instead of failing the notebook."""

    def preprocess(self, nb, resources=None, km=None):
        try:
            return super().preprocess(nb, resources, km)
        except DeadKernelError as error:
            self.log.warning("The kernel died while running the notebook (%s); grading what it has.", error)
            return nb, resources


class TrustedScores(NbGraderPreprocessor):
    """Grade the answer cells in this process and set every exercise test cell's outputs and score."""

    course_file = Unicode("", help="The course.yaml the notebooks were built from.").tag(config=True)
    sandbox = Bool(True, help="Grade in bubblewrap (where it is installed).").tag(config=True)

    def preprocess(self, nb, resources):
        from grader.grading import grade_submission

        course = load_course(self.course_file or None)
        names = {exercise.name for exercise in course.exercises()}
        graded = [cell for cell in nb.cells if cell.cell_type == "code" and
                  cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata["nbgrader"].get("grade_id") in names]
        student = resources.get("nbgrader", {}).get("student") or "notebook"
        with tempfile.TemporaryDirectory(prefix="grader-nbgrader-") as scratch:
            folder = write_modules(answer_code(nb), Path(scratch) / student,
                                   [e.module for e in course.exercises()], "the submitted notebook")
            result = grade_submission(folder, course, exercise=[cell.metadata["nbgrader"]["grade_id"] for cell in graded],
                                      sandbox=None if self.sandbox else False)
        by_name = {exercise.name: exercise for exercise in result.exercises}
        for cell in graded:
            exercise = by_name[cell.metadata["nbgrader"]["grade_id"]]
            one = SubmissionResult(result.submission, (exercise,))
            cell.outputs = [
                v4.new_output("stream", name="stdout", text=report_text(one)),
                v4.new_output("execute_result", data={"text/plain": repr(float(one.score))},
                              execution_count=cell.get("execution_count")),
            ]
        return nb, resources
