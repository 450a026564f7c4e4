"""Grading from inside a notebook: what a test cell calls while the student works.

The functions the student defined in the notebook are written out as modules and graded
exactly as ``grader check`` grades a folder (in a sandboxed worker). This runs in the
student's kernel, so it gives feedback, not the grade of record: under ``nbgrader
autograde`` the TrustedScores preprocessor (grader/jupyter/nbgrader_preprocessors.py)
grades the notebook again in nbgrader's own process and replaces these outputs.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import sys
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

from grader.course import Course, load_course
from grader.jupyter.submission import write_modules
from grader.references.store import load_references
from grader.results import SubmissionResult


def notebook_functions_code(namespace: dict, course: Course) -> str:
    """The source of each exercise function the notebook has defined, in course order."""
    sources = []
    for exercise in course.exercises():
        function = namespace.get(exercise.function)
        if callable(function):
            try:
                sources.append(inspect.getsource(function))
            except (OSError, TypeError):
                continue  # not defined in a cell (e.g. imported): graded as missing
    return "\n\n".join(sources)


def report_text(result: SubmissionResult) -> str:
    """The report of ``grader check``, as plain text."""
    from rich.console import Console

    from grader.reports import print_report

    console = Console(width=100, color_system=None, force_terminal=False, record=True, file=io.StringIO())
    print_report(result, console)
    return console.export_text()


def check_exercise(name: str, course_file: str | None = None) -> float:
    """Grade exercise ``name`` as defined in this notebook; print the feedback and return the score."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # nbgrader autograde: the TrustedScores preprocessor grades this notebook outside the kernel and
        # replaces this cell's outputs, so grading here too would only cost time.
        print("Graded by the grader's trusted process; see the feedback.")
        return 0.0
    course = load_course(course_file)
    namespace = vars(sys.modules["__main__"])
    references = replace(load_references(), hidden=None)  # hidden checks are the instructor's grade run's
    # nbgrader gives a test cell 0 points if anything reaches stderr, so nothing of ours may
    with tempfile.TemporaryDirectory(prefix="grader-notebook-") as scratch, warnings.catch_warnings(), \
            contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("ignore")
        folder = write_modules(notebook_functions_code(namespace, course), Path(scratch) / "notebook",
                               [e.module for e in course.exercises()], "this notebook")
        from grader.grading import grade_submission

        result = grade_submission(folder, course, exercise=name, references=references)
    print(report_text(result))
    return result.score
