"""The submission corpus: every buggy entry loses points on the right checks with the right hint,
every correct variant gets full marks, every broken one gets a clear verdict."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from conftest import FULL_MARKS, SECRET
from corpus import assemble, entries, expectation
from grader.grading.submission import grade_submission
from grader.grading.reports import print_feedback

pytestmark = pytest.mark.slow  # failing examples are shrunk, which meets inputs Keras must compute live

# Graded as the instructor grades: on the grade-time inputs of a course secret (the tests' own).


def rendered_feedback(exercise) -> str:
    console = Console(file=io.StringIO(), width=100, record=True)
    print_feedback(exercise, console)
    return console.export_text()


def by_name(result):
    return {exercise.name: exercise for exercise in result.exercises}


@pytest.mark.parametrize("entry", entries("buggy"), ids=lambda p: p.name)
def test_buggy_submission_is_caught_with_its_hint(entry, course, tmp_path, verdicts):
    expected = expectation(entry)
    graded_submission = grade_submission(assemble(entry, tmp_path), course, secret=SECRET)
    verdicts.agree(f"buggy/{entry.name}", graded_submission)
    result = by_name(graded_submission)
    graded = result[expected["exercise"]]
    failed = {check.name for check in graded.checks if not check.passed}
    passed = {check.name for check in graded.checks if check.passed}

    assert graded.status == "failed"
    assert set(expected["failed_checks"]) <= failed
    assert set(expected.get("passed_checks", [])) <= passed
    if "score" in expected:  # an edge case costs its own points, not the exercise's
        assert graded.score == expected["score"], [(check.name, check.passed) for check in graded.checks]
    feedback = "\n".join(check.feedback for check in graded.checks if not check.passed)
    assert expected["hint"] in feedback
    for misleading in expected.get("no_hint", []):  # hints that would fit a mistake the student did not make
        assert misleading not in feedback, (misleading, feedback)
    # Short feedback: one mistake's report, as `grader check` prints it, fits in 40 lines and says each hint once
    report = rendered_feedback(graded)
    assert len(report.splitlines()) <= 40, report
    hints = [line for line in report.splitlines() if "Hint:" in line]
    assert len(hints) == len(set(hints)), report
    # every failure names its input: Hypothesis' smallest example, the MNIST batch, or the seeded call
    assert any(marker in feedback for marker in ("Smallest failing input found", "MNIST batch", "default_rng(", "On the input"))
    for name, other in result.items():
        if name not in expected["affects"]:
            assert other.score == other.max_score, f"{name} lost points for a bug in {expected['exercise']}"


@pytest.mark.parametrize("entry", entries("correct"), ids=lambda p: p.name)
def test_differently_written_correct_submission_gets_full_marks(entry, tmp_path, course, verdicts):
    result = grade_submission(assemble(entry, tmp_path), course, secret=SECRET)
    verdicts.agree(f"correct/{entry.name}", result)
    failures = [check.feedback for exercise in result.exercises for check in exercise.checks if not check.passed]
    assert failures == []
    assert result.score == result.max_score == FULL_MARKS


def test_wider_float_result_passes_with_a_note(tmp_path, course):
    result = by_name(grade_submission(assemble(entries("correct")[0], tmp_path), course, secret=SECRET))
    assert result["softmax"].status == "passed"
    assert "softmax() returned float64 for float32 input: accepted (a wider float type)." in result["softmax"].notes
