"""Nothing outside a submission is read on its behalf: links in a class are never followed."""

from __future__ import annotations

import json

import nbformat

from conftest import FORWARD_PASS, PROJECT, SECRET
from grader.classrun.gradebook import grade_class
from grader.jupyter.notebook import assignment_notebook


def test_a_link_to_another_students_notebook_or_the_instructors_files_earns_nothing(course, tmp_path):
    forward = course.only_assignment("forward_pass")
    root = tmp_path / "class"
    (root / "bob").mkdir(parents=True)
    nbformat.write(assignment_notebook(forward.assignments[0]), root / "bob" / "forward_pass.ipynb")
    (root / "mallory").mkdir()
    (root / "mallory" / "forward_pass.ipynb").symlink_to("../bob/forward_pass.ipynb")
    (root / "eve").mkdir()
    for module in ("softmax", "dense", "accuracy"):  # links to the solutions, and to secrets of the machine
        (root / "eve" / f"{module}.py").symlink_to(PROJECT / "solutions" / f"{module}.py")
    (root / "eve" / "environ.txt").symlink_to("/proc/self/environ")
    (root / "trudy").symlink_to(root / "bob", target_is_directory=True)

    run = grade_class(root, tmp_path / "out", forward, jobs=1, sandbox=False, secret=SECRET)
    results = {result.submission: result for result in run.results}
    assert results["bob"].score == results["bob"].max_score == FORWARD_PASS
    for cheat in ("mallory", "eve", "trudy"):
        assert results[cheat].score == 0 and results[cheat].max_score == FORWARD_PASS, cheat
    assert any("forward_pass.ipynb is a link" in note for note in results["mallory"].notes)
    assert any("softmax.py is a link" in note for note in results["eve"].notes)
    assert "is a link" in results["trudy"].exercises[0].message
    shown = (tmp_path / "out" / "summary.json").read_text() + (tmp_path / "out" / "students" / "eve" / "results.json").read_text()
    assert "PATH=" not in shown and "BEGIN SOLUTION" not in shown
    summary = {s["submission"]: s for s in json.loads((tmp_path / "out" / "summary.json").read_text())}
    assert summary["mallory"]["notes"] and summary["bob"]["notes"] == []
