"""What students really hand in is graded as they meant it: the layouts, the debris, a notebook's odd cells."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from conftest import FORWARD_PASS, PROJECT, SECRET
from grader.course import load_course
from grader.errors import SubmissionError
from grader.grading.submission import grade_submission
from grader.jupyter.notebook import assignment_notebook


@pytest.fixture
def forward(course):
    return course.only_assignment("forward_pass")


def _solutions(folder):
    folder.mkdir(parents=True)
    for module in {exercise.module for exercise in load_course().only_assignment("forward_pass").exercises()}:
        shutil.copy(PROJECT / "solutions" / f"{module}.py", folder / f"{module}.py")
    return folder


@pytest.mark.parametrize("inside", ["", "exercises", "alice_hw1", "alice_hw1/exercises"])
def test_the_modules_are_found_at_the_top_in_exercises_or_one_folder_down(forward, tmp_path, inside):
    _solutions(tmp_path / "alice" / inside)
    (tmp_path / "alice" / "README.md").write_text("my notes")
    result = grade_submission(tmp_path / "alice", forward, sandbox=False, secret=SECRET)
    assert result.score == result.max_score == FORWARD_PASS


def test_a_notebook_beside_editor_and_os_debris(forward, tmp_path):
    folder = tmp_path / "zoe"
    (folder / ".ipynb_checkpoints").mkdir(parents=True)
    (folder / "__MACOSX").mkdir()
    notebook = assignment_notebook(forward.assignments[0])
    for path in (folder / "forward_pass.ipynb", folder / ".ipynb_checkpoints" / "forward_pass-checkpoint.ipynb",
                 folder / "__MACOSX" / "._forward_pass.ipynb", folder / "._forward_pass.ipynb"):
        nbformat.write(notebook, path)
    result = grade_submission(folder, forward, sandbox=False, secret=SECRET)
    assert result.score == result.max_score == FORWARD_PASS


def _notebook_with(forward, changes: dict[str, str]):
    notebook = assignment_notebook(forward.assignments[0])
    for cell in notebook.cells:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id in changes:
            cell.source = changes[grade_id] + cell.source
    return notebook


def test_an_unused_forbidden_import_in_a_notebook_cell_costs_that_exercise_only(forward, tmp_path):
    nbformat.write(_notebook_with(forward, {"accuracy-answer": "import keras\n"}), tmp_path / "forward_pass.ipynb")
    result = {e.name: e for e in grade_submission(tmp_path / "forward_pass.ipynb", forward, sandbox=False,
                                                  secret=SECRET).exercises}
    assert result["accuracy"].status == "forbidden" and result["accuracy"].score == 0
    assert result["softmax"].status == result["dense"].status == "passed"


def test_a_lone_surrogate_in_a_notebook_is_graded_not_a_crash(forward, tmp_path):
    notebook = _notebook_with(forward, {"softmax-answer": "# caf\ud800 au lait\n"})
    text = nbformat.writes(notebook).replace("\ud800", "\\ud800")  # valid JSON for a lone surrogate
    (tmp_path / "forward_pass.ipynb").write_text(text)
    result = grade_submission(tmp_path / "forward_pass.ipynb", forward, sandbox=False, secret=SECRET)
    assert result.score == result.max_score == FORWARD_PASS
    (tmp_path / "broken.ipynb").write_bytes(text.encode().replace(b"caf", b"caf\xed\xa0\x80"))  # not UTF-8 at all
    with pytest.raises(SubmissionError, match="not a readable Jupyter notebook"):
        grade_submission(tmp_path / "broken.ipynb", forward, sandbox=False, secret=SECRET)


def test_another_assignments_notebook_is_a_sentence(course, tmp_path):
    first, second = course.assignments[:2]
    nbformat.write(assignment_notebook(second), tmp_path / f"{first.id}.ipynb")  # the wrong one, renamed
    with pytest.raises(SubmissionError, match="it is another assignment's notebook") as raised:
        grade_submission(tmp_path / f"{first.id}.ipynb", course.only_assignment(first.id), sandbox=False, secret=SECRET)
    assert second.exercises[0].name in str(raised.value) and first.exercises[0].name in str(raised.value)
    # the cell ids are the student's own text: a handful, each cut short, however many and long they are
    notebook = assignment_notebook(second)
    for index, cell in enumerate(c for c in notebook.cells if c.metadata["nbgrader"].get("solution")):
        cell.metadata["nbgrader"]["grade_id"] = f"{'x' * 10_000}{index}-answer"
    for index in range(40):
        extra = nbformat.v4.new_code_cell("pass")
        extra.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": f"e{index}-answer"}
        notebook.cells.append(extra)
    nbformat.write(notebook, tmp_path / f"{first.id}.ipynb")
    with pytest.raises(SubmissionError, match="more, and none of") as raised:
        grade_submission(tmp_path / f"{first.id}.ipynb", course.only_assignment(first.id), sandbox=False, secret=SECRET)
    assert len(str(raised.value)) < 800
