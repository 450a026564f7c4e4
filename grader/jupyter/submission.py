"""A notebook as a submission: the code of its answer cells, written out as the exercise modules.

The answer cells are the ones nbgrader marks as solution cells. Only they are taken (not
the story's cells, which load data or run Keras), joined in order under ``import numpy as
np``, and written as every exercise module of the course, so that dense_forward can call
the softmax defined in the same notebook just as ``from softmax import softmax`` does in a
module submission.

An import the exercises forbid costs the exercise of the cell it is in, as it would cost that
module in a module submission: in the other exercises' modules, that statement is left out
(`pass` takes its line), so an unused ``import keras`` in one cell does not zero the others.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from grader.course import Course
from grader.errors import SubmissionError

HEADER = '"""Answer cells of {name}, extracted by the grader."""\n\nimport numpy as np\n\n'
ANSWER_SUFFIX = "-answer"


def answer_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The notebook's solution cells, in order."""
    return [cell for cell in notebook.cells
            if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution")]


def answer_code(notebook: nbformat.NotebookNode) -> str:
    """The source of the notebook's solution cells, in order."""
    return "\n\n".join(cell.source for cell in answer_cells(notebook))


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook file, or say clearly why it cannot be read."""
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.reader.NotJSONError) as error:
        raise SubmissionError(f"{path.name} is not a readable Jupyter notebook ({error}).") from None


def write_modules(code: str, folder: Path, modules: list[str], name: str) -> Path:
    """Write ``code`` as each module in ``folder`` (created), and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for module in modules:
        _write(folder / f"{module}.py", HEADER.format(name=name) + code + "\n")
    return folder


def write_notebook_modules(notebook: nbformat.NotebookNode, folder: Path, course: Course, name: str) -> Path:
    """The notebook's answer cells as the course's exercise modules in ``folder``; a forbidden import counts only in
    the module of its own cell's exercise."""
    folder.mkdir(parents=True, exist_ok=True)
    forbidden = tuple(course.grading.forbidden_modules)
    for module in dict.fromkeys(e.module for e in course.exercises()):
        own = {e.name for e in course.exercises() if e.module == module}
        sources = []
        for cell in answer_cells(notebook):
            grade_id = str(cell.metadata["nbgrader"].get("grade_id", ""))
            exercise = grade_id[: -len(ANSWER_SUFFIX)] if grade_id.endswith(ANSWER_SUFFIX) else None
            keeps_imports = exercise is None or exercise in own or exercise not in {e.name for e in course.exercises()}
            sources.append(cell.source if keeps_imports else _without_imports_of(cell.source, forbidden))
        _write(folder / f"{module}.py", HEADER.format(name=name) + "\n\n".join(sources) + "\n")
    return folder


def notebook_to_folder(path: Path, folder: Path, course: Course) -> Path:
    """The notebook at ``path`` as a folder of exercise modules; another assignment's notebook is a sentence."""
    notebook = read_notebook(path)
    answered = [str(cell.metadata["nbgrader"].get("grade_id", "")) for cell in answer_cells(notebook)]
    answered = [grade_id[: -len(ANSWER_SUFFIX)] for grade_id in answered if grade_id.endswith(ANSWER_SUFFIX)]
    expected = [exercise.name for exercise in course.exercises()]
    if answered and not set(answered) & set(expected):
        shown = ", ".join(name[:40] for name in answered[:5]) + (f" and {len(answered) - 5} more" if len(answered) > 5 else "")
        raise SubmissionError(  # the cell ids are the student's text: a few, cut short
            f"{path.name} holds the answer cells of {shown}, and none of {', '.join(expected)}, the "
            "exercises graded here: it is another assignment's notebook. Hand in this assignment's notebook, "
            "or grade it with --assignment set to its own assignment.")
    return write_notebook_modules(notebook, folder, course, path.name)


def _without_imports_of(source: str, forbidden: tuple[str, ...]) -> str:
    """``source`` with its top-level import statements of forbidden modules replaced by ``pass``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source  # the syntax error is reported by grading, as it is
    lines = source.splitlines()
    for node in tree.body:
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
        if any(n == f or n.startswith(f + ".") for n in names for f in forbidden) and node.end_lineno is not None:
            indent = lines[node.lineno - 1][: node.col_offset]
            lines[node.lineno - 1 : node.end_lineno] = [indent + "pass"] + [""] * (node.end_lineno - node.lineno)
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    # A lone surrogate (a notebook's JSON allows one) becomes its escape, which Python reads back in a string.
    path.write_text(text, encoding="utf-8", errors="backslashreplace")
