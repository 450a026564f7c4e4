"""The pytest session that grades a submission (grader/grading/session.py): pytest runs every check, and nothing
around the grader (a conftest.py where it runs, the shell's PYTEST_ADDOPTS or PYTEST_PLUGINS) reaches it."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import CHECK_COUNT, COURSE, HIDDEN_POINTS, PROJECT, SECRET
from grader.grading import check_nodes
from grader.grading.student_process import StudentProcess
from grader.grading.submission import grade_submission

HOSTILE_PLUGIN = """\
import pathlib

pathlib.Path({marker!r}).write_text("imported into the grader")


def pytest_collection_modifyitems(items):
    del items[1:]  # keep one check: the grade would come from it alone
"""

HIDDEN_COUNT = sum(check.hidden for e in COURSE.exercises() for check in e.checks.values())


def every_check_ran_on_the_stubs(result) -> None:
    assert [e.name for e in result.exercises] == [e.name for e in COURSE.exercises()]
    assert sum(len(e.checks) for e in result.exercises) == CHECK_COUNT - HIDDEN_COUNT
    assert result.score == 0 and {e.status for e in result.exercises} == {"not_attempted"}



def test_a_conftest_and_the_shells_pytest_settings_never_reach_the_grading(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    submission = tmp_path / "student"
    shutil.copytree(PROJECT / "exercises", submission)
    for folder in (tmp_path, submission):  # where the grader runs, and the student's own folder
        (folder / "conftest.py").write_text(HOSTILE_PLUGIN.format(marker=str(marker)))
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -x\n")
    (tmp_path / "hostile_plugin.py").write_text(HOSTILE_PLUGIN.format(marker=str(marker)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTEST_ADDOPTS", "-x --maxfail=1")
    monkeypatch.setenv("PYTEST_PLUGINS", "hostile_plugin")

    result = grade_submission(submission, COURSE, sandbox=False)

    every_check_ran_on_the_stubs(result)  # -x would have stopped at the first failing check
    assert not marker.exists()
    assert (os.environ["PYTEST_ADDOPTS"], os.environ["PYTEST_PLUGINS"]) == ("-x --maxfail=1", "hostile_plugin")


def test_each_check_is_a_test_of_its_exercises_collector():
    seen = []

    class Seen(check_nodes.CheckItem):
        def runtest(self):
            seen.append((type(self.parent).__name__, self.parent.name, self.name, self.parent.hidden))
            super().runtest()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check_nodes, "CheckItem", Seen)
        result = grade_submission(PROJECT / "exercises", COURSE, sandbox=False)
    every_check_ran_on_the_stubs(result)
    assert seen == [("ExerciseNode", e.name, name, False) for e in COURSE.exercises()
                    for name, check in e.checks.items() if not check.hidden]
    assert sum(e.hidden_points for e in result.exercises) == HIDDEN_POINTS


def test_an_interrupt_stops_the_grading_instead_of_giving_a_partial_grade(monkeypatch):
    def interrupted(run):
        raise KeyboardInterrupt

    monkeypatch.setattr(check_nodes, "failed_assertions", lambda run: interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade_submission(PROJECT / "exercises", COURSE, sandbox=False)


def test_the_graders_own_failure_between_checks_is_raised_not_swallowed(monkeypatch):
    def broken(self, name):
        raise RuntimeError("the worker could not be replaced")

    monkeypatch.setattr(StudentProcess, "begin_exercise", broken)
    with pytest.raises(RuntimeError, match="could not be replaced"):
        grade_submission(PROJECT / "exercises", COURSE, sandbox=False)


def test_an_exercise_with_only_hidden_checks_still_has_a_result():
    assignment = COURSE.assignments[0]
    first = assignment.exercises[0]
    hidden_only = first.model_copy(update={"checks": {n: c for n, c in first.checks.items() if c.hidden}})
    assert hidden_only.checks, f"{first.name} has no hidden check to keep"
    course = COURSE.model_copy(update={"assignments": [
        assignment.model_copy(update={"exercises": [hidden_only, *assignment.exercises[1:]]})]})

    student = grade_submission(PROJECT / "solutions", course, sandbox=False).exercises[0]
    assert (student.name, student.status, student.checks) == (first.name, "passed", ())
    assert student.hidden_points == hidden_only.max_score
    graded = grade_submission(PROJECT / "solutions", course, sandbox=False, secret=SECRET).exercises[0]
    assert [(c.name, c.passed) for c in graded.checks] == [(name, True) for name in hidden_only.checks]
    assert graded.status == "passed" and graded.hidden_points == 0
