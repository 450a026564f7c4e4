"""Grading from inside a notebook: what a test cell calls while the student works.

The functions the student defined in the notebook are written out as modules and graded
exactly as ``grader check`` grades a folder (in a sandboxed worker). This runs in the
student's kernel, so it gives feedback, not the grade of record: under ``nbgrader
autograde`` the TrustedScores preprocessor (grader/jupyter/nbgrader_preprocessors.py)
grades the notebook again in nbgrader's own process and replaces these outputs.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import os
import sys
import tempfile
import warnings
from dataclasses import replace
from pathlib import Path

import nbformat
from nbformat import v4

from grader.course import Course, load_course
from grader.jupyter.submission import write_notebook_modules
from grader.references.store import load_references
from grader.grading.results import SubmissionResult


def answer_notebook(namespace: dict, course: Course) -> nbformat.NotebookNode:
    """The cells the grade takes from this notebook, as answer cells: each cell (as last run) that defines an
    exercise function, whole.

    As nbgrader's autograde takes the whole answer cell, a helper or a constant defined beside the
    function is there too, and a forbidden import costs that cell's exercise only: the test cell
    shows exactly the grade. Outside IPython (no cell history), the functions' own sources.
    """
    cells = {}  # order -> (exercise, source): the cell's place in the history, else after every cell
    history = namespace.get("In")
    for position, exercise in enumerate(course.exercises()):
        index = _last_cell_defining(history, exercise.function) if isinstance(history, list) else None
        if index is not None:
            cells.setdefault(index, (exercise.name, history[index]))
            continue
        function = namespace.get(exercise.function)
        try:
            source = inspect.getsource(function) if callable(function) else None
        except (OSError, TypeError):
            source = None  # not defined in a cell (e.g. imported): graded as missing
        if source:
            cells[10**9 + position] = (exercise.name, source)
    return v4.new_notebook(cells=[
        v4.new_code_cell(source, metadata={"nbgrader": {"solution": True, "grade_id": f"{name}-answer"}})
        for name, source in (cells[order] for order in sorted(cells))
    ])


def _last_cell_defining(history: list, function: str) -> int | None:
    for index in range(len(history) - 1, -1, -1):
        try:
            tree = ast.parse(str(history[index]))
        except (SyntaxError, ValueError):
            continue
        if any(isinstance(node, ast.FunctionDef) and node.name == function for node in tree.body):
            return index
    return None


def report_text(result: SubmissionResult) -> str:
    """The report of ``grader check``, as plain text."""
    from rich.console import Console

    from grader.grading.reports import print_report

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
        folder = write_notebook_modules(answer_notebook(namespace, course), Path(scratch) / "notebook", course,
                                        "this notebook")
        from grader.grading.submission import grade_submission

        result = grade_submission(folder, course, exercise=name, references=references)
    print(report_text(result))
    return result.score
