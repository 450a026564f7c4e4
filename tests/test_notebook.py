"""The generated notebook comes from the one source: the solutions' code and course.yaml's points."""

from __future__ import annotations

import ast

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
        assert "### BEGIN HIDDEN TESTS" in test.source
    for grade_id, cell in cells.items():
        if not grade_id.endswith("-answer"):
            assert cell.metadata["nbgrader"]["locked"], grade_id


def test_answer_code_is_a_module_with_every_function(course):
    code = answer_code(assignment_notebook(course.assignments[0]))
    defined = {node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)}
    assert defined == {"softmax", "dense_forward", "accuracy"}
