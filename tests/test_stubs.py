"""The stubs are generated from the solutions and never drift from them."""

from __future__ import annotations

import ast

import pytest

from conftest import PROJECT
from grader.errors import GraderError
from grader.authoring.stubs import make_stub, stale_stubs

MODULES = ["softmax", "dense", "accuracy"]


def test_committed_stubs_are_what_the_solutions_generate():
    assert stale_stubs(PROJECT / "solutions", PROJECT / "exercises", MODULES) == []


@pytest.mark.parametrize("module", MODULES)
def test_stub_keeps_signature_and_docstring_and_raises(module):
    solution = ast.parse((PROJECT / "solutions" / f"{module}.py").read_text())
    stub = ast.parse((PROJECT / "exercises" / f"{module}.py").read_text())
    solution_functions = {f.name: f for f in solution.body if isinstance(f, ast.FunctionDef)}
    stub_functions = {f.name: f for f in stub.body if isinstance(f, ast.FunctionDef)}
    assert solution_functions.keys() == stub_functions.keys()
    for name, function in stub_functions.items():
        reference = solution_functions[name]
        assert ast.dump(function.args) == ast.dump(reference.args)
        assert ast.get_docstring(function) == ast.get_docstring(reference)
        assert "Pitfalls" in ast.get_docstring(function) and "Returns" in ast.get_docstring(function)
        raised = function.body[-1]
        assert isinstance(raised, ast.Raise) and raised.exc.func.id == "NotImplementedError"
        assert name in raised.exc.args[0].value


def test_solution_code_never_reaches_a_stub():
    for module in MODULES:
        stub = (PROJECT / "exercises" / f"{module}.py").read_text()
        assert "BEGIN SOLUTION" not in stub and "END SOLUTION" not in stub


def test_a_solution_without_markers_is_refused():
    with pytest.raises(GraderError, match="BEGIN SOLUTION"):
        make_stub("def f():\n    return 1\n", "f.py")


def test_several_regions_each_name_their_function():
    source = (
        "def a():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n\n\n"
        "def b():\n    ### BEGIN SOLUTION\n    return 2\n    ### END SOLUTION\n"
    )
    stub = make_stub(source)
    assert "a() is not written yet" in stub and "b() is not written yet" in stub
    assert "return" not in stub
