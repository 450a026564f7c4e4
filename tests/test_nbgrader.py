"""The nbgrader course, graded by real nbgrader with a real kernel: same scores as `grader check`."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import FORWARD_PASS, SECRET, STOPPED_BY_A_LIMIT
from corpus import ROOT
from grader.course import load_course
from grader.errors import GraderError
from grader.grading.submission import grade_submission
from grader.jupyter.course_folder import build_course_folder

pytestmark = pytest.mark.slow

ASSIGNMENT = "forward_pass"


def corpus_code(kind: str, entry: str, module: str) -> str:
    return (ROOT / kind / entry / f"{module}.py").read_text().replace("from softmax import softmax", "")


STUDENTS = {
    "reference": {},
    "stub": None,
    "overflow": {"softmax-answer": corpus_code("buggy", "softmax_overflow", "softmax")},
    "no_bias": {"dense-answer": corpus_code("buggy", "dense_no_bias", "dense")},
    "raises": {"accuracy-answer": "def accuracy(y_pred, y_true):\n    raise ValueError('I give up')"},
    "loops": {"softmax-answer": "def softmax(z, axis=-1):\n    while True:\n        pass"},
    "tamper": {"softmax-answer": "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
                                 "np.testing.assert_allclose = lambda *a, **k: None\n\n"
                                 "def softmax(z, axis=-1):\n    return z"},
}


def make_course(root: Path, course) -> tuple[Path, dict]:
    """An nbgrader course folder for ``course``, and the environment to run nbgrader in (homes kept in ``root``)."""
    course_file = root / "course.yaml"
    course_file.write_text(yaml.safe_dump(course.model_dump(mode="json"), sort_keys=False))  # keep the check order
    folder = root / "course"
    build_course_folder(course, course_file, folder)
    home = root / "home"
    # The kit's environment is not on PATH (an instructor calling .venv/bin/nbgrader without activating it): the
    # course's nbgrader_config.py must find the `alembic` nbgrader runs by name.
    env = dict(os.environ, GRADER_COURSE=str(course_file), HOME=str(home), PATH=os.pathsep.join(("/usr/bin", "/bin")))
    for name, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                      ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")):
        (home / sub).mkdir(parents=True)
        env[name] = str(home / sub)
    return folder, env


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory, strict_course):
    return make_course(tmp_path_factory.mktemp("nbgrader"), strict_course)


def nbgrader(folder: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def submit(folder: Path, students: dict, assignment: str = ASSIGNMENT) -> None:
    """Fill the release notebook's answer cells (the reference's, or the given code) for each student."""
    release = folder / "release" / assignment / f"{assignment}.ipynb"
    reference = nbformat.read(folder / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    answers = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in reference.cells}
    for student, replaced in students.items():
        notebook = nbformat.read(release, as_version=4)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if replaced is not None and grade_id.endswith("-answer"):
                cell.source = replaced.get(grade_id, answers[grade_id])
        target = folder / "submitted" / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)


def autograde_matches_grader_check(folder: Path, env: dict, course, students: dict, assignment: str = ASSIGNMENT,
                                   test_cells_untouched: bool = True) -> dict:
    """Autograde and export with nbgrader; assert each exercise's score equals `grader check`'s; return those."""
    started = time.perf_counter()
    log = nbgrader(folder, env, "autograde", assignment).stderr
    if test_cells_untouched:  # no test cell hides tests, so nbgrader's false "checksum has changed" warning
        assert "has changed" not in log, log[-3000:]  # (jupyter/nbgrader#1961) never shows for these students
    print(f"nbgrader autograde: {(time.perf_counter() - started) / len(students):.2f} s per notebook")
    nbgrader(folder, env, "export")
    assert all(student in (folder / "grades.csv").read_text() for student in students)

    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for student in students:
            submitted = folder / "submitted" / student / assignment / f"{assignment}.ipynb"
            direct = grade_submission(submitted, course, secret=SECRET)  # its own assignment, at grade time
            for exercise in direct.exercises:
                grade = gradebook.find_grade(exercise.name, assignment, assignment, student)
                assert grade.score == exercise.score, (student, exercise.name, grade.score, exercise.score)
                assert grade.max_score == exercise.max_score
            scores[student] = {e.name: (e.score, e.status) for e in direct.exercises}
    return scores


def stable(scores: dict) -> dict:
    """The round trip's scores as recorded in verdicts.json (an exercise STOPPED_BY_A_LIMIT: its status only)."""
    return {student: {name: [status] if status in STOPPED_BY_A_LIMIT else [score, status]
                      for name, (score, status) in exercises.items()} for student, exercises in scores.items()}


def test_nbgrader_round_trip(nbgrader_course, strict_course, verdicts):
    folder, env = nbgrader_course
    nbgrader(folder, env, "generate_assignment", ASSIGNMENT, "--force")
    released = (folder / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released and "HIDDEN TESTS" not in released and "include_hidden = True" not in released
    assert released.count("raise NotImplementedError()") == 3
    nbgrader(folder, env, "validate", str(folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))

    submit(folder, STUDENTS)
    scores = autograde_matches_grader_check(folder, env, strict_course, STUDENTS)
    verdicts.agree_summary(f"nbgrader/{ASSIGNMENT}", stable(scores))

    assert sum(score for score, _ in scores["reference"].values()) == FORWARD_PASS
    assert sum(score for score, _ in scores["stub"].values()) == 0
    assert scores["tamper"]["softmax"][0] == 0
    full = {exercise.name: exercise.max_score for exercise in strict_course.exercises()}
    assert scores["loops"]["softmax"][1] == "timeout" and scores["loops"]["accuracy"][0] == full["accuracy"]
    assert 0 < scores["overflow"]["softmax"][0] < full["softmax"]  # partial credit inside nbgrader
    assert scores["raises"]["accuracy"][0] == 0 and scores["raises"]["softmax"][0] == full["softmax"]
    feedback = nbformat.read(folder / "autograded" / "overflow" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    softmax_cell = next(c for c in feedback.cells if c.metadata["nbgrader"].get("grade_id") == "softmax")
    assert "Smallest failing input found" in softmax_cell.outputs[0]["text"]
    assert "Traceback" not in softmax_cell.outputs[0]["text"]


def test_second_assignment_round_trip(nbgrader_course, strict_course, verdicts):
    folder, env = nbgrader_course
    nbgrader(folder, env, "generate_assignment", "learning", "--force")
    students = {
        "reference_learning": {},
        "stub_learning": None,
        "sum_not_mean": {"crossentropy-answer": corpus_code("buggy", "crossentropy_sum", "crossentropy")},
    }
    submit(folder, students, "learning")
    scores = autograde_matches_grader_check(folder, env, strict_course, students, "learning")
    verdicts.agree_summary("nbgrader/learning", stable(scores))
    learning = {exercise.name: exercise.max_score for exercise in strict_course.exercises()
                if exercise in next(a for a in strict_course.assignments if a.id == "learning").exercises}
    assert scores["reference_learning"] == {name: (points, "passed") for name, points in learning.items()}
    assert scores["stub_learning"]["one_hot"] == (0.0, "not_attempted")
    assert scores["sum_not_mean"]["crossentropy"][1] == "failed" and \
        scores["sum_not_mean"]["one_hot"][0] == learning["one_hot"]


def _tampered(notebook, how: str) -> None:
    """Change the softmax test cell the way a student could."""
    index, cell = next((i, c) for i, c in enumerate(notebook.cells)
                       if c.metadata.get("nbgrader", {}).get("grade_id") == "softmax")
    if how == "deleted":
        del notebook.cells[index]
    elif how == "unmarked":
        cell.metadata = {}
    elif how == "retyped":
        notebook.cells[index] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata)
    elif how == "relabelled":
        cell.metadata["nbgrader"]["grade_id"] = "dense"
    elif how == "duplicated":
        notebook.cells.insert(index, nbformat.from_dict(dict(cell)))
    elif how == "repointed":
        cell.metadata["nbgrader"]["points"] = 100


TAMPERINGS = ("deleted", "unmarked", "retyped", "relabelled", "duplicated", "repointed")


def test_a_notebook_decides_neither_what_counts_nor_the_maximum(tmp_path, strict_course):
    folder, env = make_course(tmp_path, strict_course)
    nbgrader(folder, env, "generate_assignment", ASSIGNMENT, "--force")
    overflow = {"softmax-answer": corpus_code("buggy", "softmax_overflow", "softmax")}
    students = {"honest": overflow, **{how: overflow for how in TAMPERINGS}}
    submit(folder, students)
    for how in TAMPERINGS:
        path = folder / "submitted" / how / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        _tampered(notebook, how)
        nbformat.write(notebook, path)
    scores = autograde_matches_grader_check(folder, env, strict_course, students, test_cells_untouched=False)
    assert 0 < sum(score for score, _ in scores["honest"].values()) < FORWARD_PASS
    for how in TAMPERINGS:
        assert scores[how] == scores["honest"], how

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        totals = {s: gradebook.find_submission(ASSIGNMENT, s) for s in students}
        assert {(s.score, s.max_score) for s in totals.values()} == {(totals["honest"].score, float(FORWARD_PASS))}


def test_a_course_change_nbgrader_would_refuse_changes_nothing(tmp_path, strict_course):
    """nbgrader's --force deletes release/<assignment> before it refuses new cells in an assignment with
    submissions; `grader nbgrader build` refuses first, and passes course.yaml's due date on."""
    folder, env = make_course(tmp_path, strict_course)
    nbgrader(folder, env, "generate_assignment", ASSIGNMENT)
    submit(folder, {"late": None})
    (folder / "submitted" / "late" / ASSIGNMENT / "timestamp.txt").write_text("2026-12-19 10:00:00 UTC")
    nbgrader(folder, env, "autograde", ASSIGNMENT)
    nbgrader(folder, env, "export")
    due = strict_course.due_at(strict_course.assignments[0])
    assert f"{ASSIGNMENT},{due:%Y-%m-%d %H:%M:%S},2026-12-19 10:00:00,late," in (folder / "grades.csv").read_text()

    course_file = tmp_path / "course.yaml"
    written = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file() and path.suffix != ".db"}
    first = strict_course.assignments[0]
    shorter = first.model_copy(update={"exercises": first.exercises[:-1]})
    changed = strict_course.model_copy(update={"assignments": [shorter, *strict_course.assignments[1:]]})
    with pytest.raises(GraderError, match=rf"{ASSIGNMENT} has 1 submission.*it removes {first.exercises[-1].name}"):
        build_course_folder(changed, course_file, folder)
    assert {path: path.read_bytes() for path in written} == written  # nothing rewritten, the release is there
    without = strict_course.model_copy(update={"assignments": strict_course.assignments[1:]})
    with pytest.raises(GraderError, match=rf"{ASSIGNMENT} has 1 submission.*course.yaml no longer lists it"):
        build_course_folder(without, course_file, folder)  # autograde would delete its graded notebooks
    assert {path: path.read_bytes() for path in written} == written
    nbgrader(folder, env, "generate_assignment", ASSIGNMENT, "--force")  # and nbgrader still takes the course as it is

    later = first.model_copy(update={"due": dt.datetime(2026, 12, 20, 12, 0), "title": first.title + ", revised"})
    repointed = [first.exercises[0].model_copy(update={"checks": {
        name: check.model_copy(update={"points": check.points + 1}) for name, check in first.exercises[0].checks.items()
    }}), *first.exercises[1:]]
    moved = strict_course.model_copy(update={
        "timezone": "Europe/Berlin",
        "assignments": [later.model_copy(update={"exercises": repointed}), *strict_course.assignments[1:]],
    })
    notes = build_course_folder(moved, course_file, folder).notes
    assert f"{ASSIGNMENT}: due 2026-12-20 11:00:00 UTC in the gradebook" in notes  # 12:00 in Berlin
    assert any(f"the points of {first.exercises[0].name} change" in note and "autograde" in note for note in notes)
    assert any("the text of the read-only cells intro changes" in note and "no student changed them" in note
               for note in notes)  # the title is in the notebook's first cell
    nbgrader(folder, env, "generate_assignment", ASSIGNMENT, "--force")  # nbgrader takes new points, cells unchanged
    assert not build_course_folder(moved, course_file, folder).notes  # nothing left to change


def test_source_notebook_runs_top_to_bottom(nbgrader_course):
    from nbclient import NotebookClient

    folder, env = nbgrader_course
    notebook = nbformat.read(folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    for cell in notebook.cells:  # what students write: a name defined beside the function, an unused import
        if cell.metadata["nbgrader"]["grade_id"] == "softmax-answer":
            cell.source += "\n\n_SOFTMAX = softmax\n\n\ndef softmax(z, axis=-1):\n    return _SOFTMAX(z, axis)\n"
        if cell.metadata["nbgrader"]["grade_id"] == "accuracy-answer":
            cell.source = "import keras  # not used\n" + cell.source
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        started = time.perf_counter()
        NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
        elapsed = time.perf_counter() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert elapsed < 90
    outputs = {cell.metadata["nbgrader"]["grade_id"]: cell.get("outputs", []) for cell in notebook.cells}
    # the test cells show what the grade gives (its hidden checks aside): the cell's helper counts, the import costs
    public = {e.name: sum(c.points for c in e.checks.values() if not c.hidden) for e in load_course().exercises()}
    for exercise, points in (("softmax", public["softmax"]), ("dense", public["dense"]), ("accuracy", 0)):
        assert outputs[exercise][-1]["data"]["text/plain"] == repr(float(points)), outputs[exercise]
        assert not any(o.get("name") == "stderr" for o in outputs[exercise])
    assert any("image/png" in o.get("data", {}) for o in outputs["pictures"])
    by_hand = "".join(o.get("text", "") for o in outputs["by-hand"])
    assert re.search(r"accuracy by hand: ([0-9.]+)  model.evaluate: \1\n", by_hand), by_hand
