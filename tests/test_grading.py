"""Grading whole submissions: the solutions, the stubs, broken code, and determinism."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import FULL_MARKS, HIDDEN_POINTS, PROJECT, PUBLIC_MARKS, SECRET
from corpus import ROOT, assemble
from grader.errors import SubmissionError
from grader.grading.submission import grade_submission, prepared


def test_solutions_get_full_marks(course):
    for secret, marks in ((SECRET, FULL_MARKS), (None, PUBLIC_MARKS)):  # at the grade, and at a student's check
        result = grade_submission(PROJECT / "solutions", course, secret=secret)
        assert {e.status for e in result.exercises} == {"passed"}
        assert result.score == result.max_score == marks
        assert sum(e.hidden_points for e in result.exercises) == (0 if secret else HIDDEN_POINTS)


@pytest.mark.parametrize("secret", [SECRET, None], ids=["grade-time", "public"])
def test_the_worker_budget_counts_the_hidden_passes_that_run(course, secret):
    """The worker starts before the references are read; its CPU budget still counts exactly the passes run."""
    with prepared(PROJECT / "solutions", course, sandbox=False, secret=secret) as run:
        with_hidden = [e.name for e in course.exercises() if any(c.hidden for c in e.checks.values())]
        assert [e.name for e in run.hidden] == (with_hidden if secret else [])
        assert with_hidden and run.student.exercises == len(run.exercises) + len(run.hidden)


def test_stubs_get_zero_and_not_attempted(course):
    result = grade_submission(PROJECT / "exercises", course)
    assert result.score == 0
    for exercise in result.exercises:
        assert exercise.status == "not_attempted"
        assert "NotImplementedError" in exercise.message
        assert "Traceback" not in exercise.message


def test_checking_correct_code_needs_no_tensorflow():
    code = (
        "import sys; from grader import api; r = api.check('solutions'); "
        "print(r.score, r.max_score, 'tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(PUBLIC_MARKS), str(PUBLIC_MARKS), "False"]


def test_a_missing_folder_is_a_sentence(course, tmp_path):
    with pytest.raises(SubmissionError, match="is not a folder"):
        grade_submission(tmp_path / "nope", course)


def test_one_exercise_only(course):
    result = grade_submission(PROJECT / "solutions", course, exercise="accuracy")
    assert [e.name for e in result.exercises] == ["accuracy"]


@pytest.mark.parametrize(
    ("entry", "exercise", "status", "says"),
    [
        ("syntax_error", "softmax", "error", "softmax.py\", line 4"),
        ("missing_function", "softmax", "error", "defines no function softmax()"),
        ("raises_at_import", "accuracy", "error", "this module fails when imported"),
        ("exits", "dense", "crashed", "exit code 3"),
    ],
)
def test_broken_code_gets_a_clear_verdict(entry, exercise, status, says, course, tmp_path):
    result = grade_submission(assemble(ROOT / "broken" / entry, tmp_path), course)
    graded = {e.name: e for e in result.exercises}[exercise]
    assert graded.status == status
    assert graded.score == 0
    assert says in graded.message + "".join(check.feedback for check in graded.checks)


def test_an_endless_loop_is_stopped_and_the_rest_is_graded(course, tmp_path):
    quick = course.model_copy(update={"limits": course.limits.model_copy(update={"call_timeout_seconds": 1.0})})
    result = grade_submission(assemble(ROOT / "broken" / "infinite_loop", tmp_path), quick)
    graded = {e.name: e for e in result.exercises}
    assert graded["accuracy"].status == "timeout"
    assert "did not finish within 1 s" in graded["accuracy"].checks[0].feedback
    assert graded["softmax"].status == graded["dense"].status == "passed"


def test_what_the_code_printed_is_kept_apart(course, tmp_path):
    result = grade_submission(assemble(ROOT / "broken" / "prints_and_raises", tmp_path), course, exercise="softmax")
    assert "debugging softmax, shape" in result.exercises[0].output
    assert "ValueError" in result.exercises[0].checks[0].feedback


@pytest.mark.slow
def test_the_same_submission_always_gets_the_same_result(course, tmp_path):
    entry = ROOT / "buggy" / "softmax_no_keepdims"
    first = grade_submission(assemble(entry, tmp_path / "a"), course).summary()
    second = grade_submission(assemble(entry, tmp_path / "b"), course).summary()
    first.pop("submission"), second.pop("submission")
    assert first == second
