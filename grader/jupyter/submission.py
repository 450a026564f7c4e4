"""A notebook as a submission: the code of its answer cells, written out as the exercise modules.

The answer cells are the ones nbgrader marks as solution cells. Only they are taken (not
the story's cells, which load data or run Keras), joined in order under ``import numpy as
np``, and written as every exercise module of the course, so that dense_forward can call
the softmax defined in the same notebook just as ``from softmax import softmax`` does in a
module submission.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader.errors import SubmissionError

HEADER = '"""Answer cells of {name}, extracted by the grader."""\n\nimport numpy as np\n\n'


def answer_code(notebook: nbformat.NotebookNode) -> str:
    """The source of the notebook's solution cells, in order."""
    cells = [cell for cell in notebook.cells
             if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution")]
    return "\n\n".join(cell.source for cell in cells)


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
        (folder / f"{module}.py").write_text(HEADER.format(name=name) + code + "\n")
    return folder


def notebook_to_folder(path: Path, folder: Path, modules: list[str]) -> Path:
    """The notebook at ``path`` as a folder of exercise modules."""
    return write_modules(answer_code(read_notebook(path)), folder, modules, path.name)
