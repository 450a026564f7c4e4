"""The baseline an instructor would otherwise pick: the forward_pass assignment as an ordinary
nbgrader assignment, written without this kit.

One notebook: for each exercise an answer cell (``### BEGIN SOLUTION`` ... ``### END SOLUTION``,
nbgrader's own markers) and autograded test cells of NumPy asserts against expected values stored
beside the notebook in ``expected.npz`` (computed once from the kit's solutions, on fixed random
inputs, as an instructor would compute them from theirs). nbgrader autogrades it the usual way:
each notebook run top to bottom in a fresh Python kernel (nbgrader's ``Execute``), no sandbox,
no TensorFlow. This is nbgrader as its documentation teaches it
(https://nbgrader.readthedocs.io/en/stable/user_guide/creating_and_grading_assignments.html:
"autograder tests" cells with points, asserts that raise on a wrong answer).

Used by class_throughput.py; kept apart so the baseline reads as what it is.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "forward_pass"

# Test cells: (grade_id, points, source). Each exercise is worth what course.yaml gives it (11, 11, 6).
TESTS = {
    "softmax": [
        ("softmax-values", 5, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(softmax(e['softmax_z']), e['softmax_out'], rtol=1e-6, atol=1e-9)\n"
         "np.testing.assert_allclose(softmax(e['softmax_z']).sum(axis=-1), 1.0, rtol=1e-6)"),
        ("softmax-float16", 1, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(softmax(e['softmax_z'].astype(np.float16)).astype(np.float64),\n"
         "                           e['softmax_out'], rtol=1e-2, atol=1e-3)"),
        ("softmax-axis", 1, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(softmax(e['softmax_z'], axis=0), e['softmax_axis0'], rtol=1e-6, atol=1e-9)"),
        ("softmax-large", 3, "e = np.load('expected.npz')\n"
         "out = softmax(e['softmax_large'])\n"
         "assert np.all(np.isfinite(out)), 'softmax overflowed'\n"
         "np.testing.assert_allclose(out, e['softmax_large_out'], rtol=1e-6, atol=1e-9)"),
        ("softmax-mnist", 1, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(softmax(e['logits']), e['probabilities'], rtol=1e-5, atol=1e-7)"),
    ],
    "dense": [
        ("dense-linear", 3, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(dense_forward(e['x'], e['W'], e['b']), e['linear'], rtol=1e-6, atol=1e-9)\n"
         "np.testing.assert_allclose(dense_forward(e['x'], e['W'], e['b'], 'linear'), e['linear'], rtol=1e-6, atol=1e-9)"),
        ("dense-activations", 2, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(dense_forward(e['x'], e['W'], e['b'], 'relu'), e['relu'], rtol=1e-6, atol=1e-9)\n"
         "np.testing.assert_allclose(dense_forward(e['x'], e['W'], e['b'], 'softmax'), e['softmax'], rtol=1e-6, atol=1e-9)"),
        ("dense-single", 1, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(dense_forward(e['x'][0], e['W'], e['b']), e['linear'][0], rtol=1e-6, atol=1e-9)"),
        ("dense-unchanged", 1, "e = np.load('expected.npz')\n"
         "x, W, b = e['x'].copy(), e['W'].copy(), e['b'].copy()\n"
         "dense_forward(x, W, b, 'softmax')\n"
         "assert np.array_equal(x, e['x']) and np.array_equal(W, e['W']) and np.array_equal(b, e['b'])"),
        ("dense-unknown", 1, "e = np.load('expected.npz')\n"
         "try:\n    dense_forward(e['x'], e['W'], e['b'], 'tanh')\nexcept ValueError:\n    pass\n"
         "else:\n    raise AssertionError('an unknown activation must raise ValueError')"),
        ("dense-mnist", 3, "e = np.load('expected.npz')\n"
         "np.testing.assert_allclose(dense_forward(e['images'], e['W_mnist'], e['b_mnist'], 'softmax'),\n"
         "                           e['probabilities_mnist'], rtol=1e-5, atol=1e-7)"),
    ],
    "accuracy": [
        ("accuracy-values", 4, "e = np.load('expected.npz')\n"
         "got = accuracy(e['y_pred'], e['y_true'])\n"
         "assert isinstance(got, float), 'return a Python float'\n"
         "assert abs(got - float(e['accuracy'])) < 1e-12"),
        ("accuracy-ties", 2, "e = np.load('expected.npz')\n"
         "assert abs(accuracy(e['y_tied'], e['y_true_tied']) - float(e['accuracy_tied'])) < 1e-12"),
    ],
}


def _solution(module: str):
    spec = importlib.util.spec_from_file_location(f"baseline_{module}", PROJECT / "solutions" / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(PROJECT / "solutions"))  # dense imports softmax
    try:
        spec.loader.exec_module(loaded)
    finally:
        sys.path.remove(str(PROJECT / "solutions"))
    return loaded


def expected_values(seed: int = 0) -> dict[str, np.ndarray]:
    """Fixed inputs and the kit's solutions' outputs on them, as an instructor would store them."""
    softmax, dense, accuracy = (_solution(m) for m in ("softmax", "dense", "accuracy"))
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(8, 10))
    large = rng.normal(size=(4, 10)) * 1000
    logits = rng.normal(scale=4, size=(32, 10)).astype(np.float32)
    x, W, b = rng.normal(size=(6, 5)), rng.normal(size=(5, 4)), rng.normal(size=4)
    images = rng.random((32, 784)).astype(np.float32)
    W_mnist = rng.normal(scale=0.05, size=(784, 10)).astype(np.float32)
    b_mnist = rng.normal(scale=0.05, size=10).astype(np.float32)
    y_pred = rng.random((50, 10))
    y_true = np.eye(10)[rng.integers(0, 10, 50)]
    y_tied = np.zeros((4, 3))
    y_tied[:, 1:] = 1.0
    y_true_tied = np.eye(3)[[1, 2, 1, 0]]
    return {
        "softmax_z": z, "softmax_out": softmax.softmax(z), "softmax_axis0": softmax.softmax(z, axis=0),
        "softmax_large": large, "softmax_large_out": softmax.softmax(large),
        "logits": logits, "probabilities": softmax.softmax(logits),
        "x": x, "W": W, "b": b, "linear": dense.dense_forward(x, W, b), "relu": dense.dense_forward(x, W, b, "relu"),
        "softmax": dense.dense_forward(x, W, b, "softmax"),
        "images": images, "W_mnist": W_mnist, "b_mnist": b_mnist,
        "probabilities_mnist": dense.dense_forward(images, W_mnist, b_mnist, "softmax"),
        "y_pred": y_pred, "y_true": y_true, "accuracy": np.float64(accuracy.accuracy(y_pred, y_true)),
        "y_tied": y_tied, "y_true_tied": y_true_tied, "accuracy_tied": np.float64(accuracy.accuracy(y_tied, y_true_tied)),
    }


def source_notebook(answers: dict[str, str]) -> nbformat.NotebookNode:
    """The instructor's notebook: ``answers`` maps '<exercise>-answer' to the solution cell's code."""
    cells = [nbformat.v4.new_code_cell("import numpy as np")]
    for exercise, tests in TESTS.items():
        cells.append(nbformat.v4.new_markdown_cell(f"## {exercise}"))
        answer = nbformat.v4.new_code_cell(answers[f"{exercise}-answer"])
        answer.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                       "grade_id": f"{exercise}-answer", "schema_version": 3}
        cells.append(answer)
        for grade_id, points, source in tests:
            test = nbformat.v4.new_code_cell(source)
            test.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": points,
                                         "grade_id": grade_id, "schema_version": 3}
            cells.append(test)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def notebook_form(code: str) -> str:
    """An answer written for the kit's modules, as it reads in one notebook: ``import softmax as sm`` (one
    correct variant of the corpus) names the notebook's own namespace, where the softmax above it lives."""
    return re.sub(rf"^import ({'|'.join(TESTS)}) as (\w+)$", r'\2 = __import__("sys").modules["__main__"]  # the cells above',
                  code, flags=re.M)


def build(folder: Path, solutions: dict[str, str], students: dict[str, dict[str, str]], env: dict, nbgrader: Path) -> None:
    """An nbgrader course in ``folder``: the assignment generated by nbgrader, and each student's
    submitted notebook (the released one with their answer cells in it)."""
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = r'%s'\nc.Execute.timeout = 30  # nbgrader's default\n" % folder)
    source = folder / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    np.savez(source / "expected.npz", **expected_values())
    nbformat.write(source_notebook(solutions), source / f"{ASSIGNMENT}.ipynb")
    subprocess.run([str(nbgrader), "generate_assignment", ASSIGNMENT], cwd=folder, env=env, check=True,
                   capture_output=True)
    released = nbformat.read(folder / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for student, answers in students.items():
        notebook = nbformat.from_dict(released)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if grade_id in answers:
                cell.source = notebook_form(answers[grade_id])
        target = folder / "submitted" / student / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(notebook, target / f"{ASSIGNMENT}.ipynb")
        shutil.copy(folder / "release" / ASSIGNMENT / "expected.npz", target)  # the handout's file, as students get it


def scores(folder: Path, students: list[str]) -> dict[str, dict[str, float]]:
    """Each student's points per exercise, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    totals = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for student in students:
            submission = gradebook.find_submission(ASSIGNMENT, student)
            per_exercise = {exercise: 0.0 for exercise in TESTS}
            for grade in submission.notebooks[0].grades:
                per_exercise[grade.name.split("-")[0]] += grade.score
            totals[student] = per_exercise
    return totals
