"""The generated notebook comes from the one source: the solutions' code and course.yaml's points."""

from __future__ import annotations

import ast

import nbformat
import pytest

from conftest import FORWARD_PASS, SECRET
from grader.errors import SubmissionError
from grader.grading.submission import grade_submission
from grader.jupyter.notebook import assignment_notebook, function_source
from grader.jupyter.submission import answer_code


def test_cells_come_from_the_sources(course):
    assignment = course.assignments[0]
    notebook = assignment_notebook(assignment)
    cells = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells}
    assert len(cells) == len(notebook.cells)  # grade ids are unique
    for exercise in assignment.exercises:
        answer = cells[f"{exercise.name}-answer"]
        assert answer.source == function_source(exercise.module, exercise.function)
        assert "### BEGIN SOLUTION" in answer.source and "### END SOLUTION" in answer.source
        assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["locked"]
        test = cells[exercise.name]
        assert test.metadata["nbgrader"]["grade"] and test.metadata["nbgrader"]["locked"]
        assert test.metadata["nbgrader"]["points"] == exercise.max_score
        assert f'check_exercise("{exercise.name}")' in test.source
    for grade_id, cell in cells.items():
        if not grade_id.endswith("-answer"):
            assert cell.metadata["nbgrader"]["locked"], grade_id


def test_answer_code_is_a_module_with_every_function(course):
    code = answer_code(assignment_notebook(course.assignments[0]))
    defined = {node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)}
    assert defined == {exercise.function for exercise in course.assignments[0].exercises}


def test_a_notebook_is_graded_on_its_assignment_whatever_its_test_cells_say(course, tmp_path):
    notebook = assignment_notebook(course.assignments[0])
    notebook.cells = [cell for cell in notebook.cells if not cell.metadata["nbgrader"].get("grade")]
    last = course.assignments[0].exercises[-1]
    for cell in notebook.cells:
        if cell.metadata["nbgrader"]["grade_id"] == f"{last.name}-answer":
            cell.source = f"def {last.function}(*args, **kwargs):\n    raise NotImplementedError"
    (tmp_path / "alice").mkdir()
    nbformat.write(notebook, tmp_path / "alice" / "forward_pass.ipynb")
    result = grade_submission(tmp_path / "alice", course, sandbox=False, secret=SECRET)
    assert [e.name for e in result.exercises] == [e.name for e in course.assignments[0].exercises]
    without_last = sum(e.max_score for e in course.assignments[0].exercises if e.name != last.name)
    assert (result.score, result.max_score) == (without_last, FORWARD_PASS)


def test_a_notebook_of_no_known_assignment_is_a_sentence(course, tmp_path):
    nbformat.write(assignment_notebook(course.assignments[0]), tmp_path / "alice.ipynb")
    with pytest.raises(SubmissionError, match="name it after its assignment"):
        grade_submission(tmp_path / "alice.ipynb", course, sandbox=False)
    only = course.only_assignment("forward_pass")
    assert grade_submission(tmp_path / "alice.ipynb", only, sandbox=False, secret=SECRET).max_score == FORWARD_PASS
