"""One mistake, one block: checks failed with the same hint are shown once (grader.grading.feedback), in the terminal
report and in Gradescope's results; hidden failures are one block."""

from __future__ import annotations

import io

from rich.console import Console

from grader.grading.feedback import feedback_blocks
from grader.grading.check_nodes import HIDDEN_FAILED
from grader.grading.reports import gradescope_results, print_report
from grader.grading.results import CheckResult, ExerciseResult, SubmissionResult

AXIS = "You normalised along the wrong axis."


def failed(name: str, hint: str = "", hidden: bool = False) -> CheckResult:
    feedback = HIDDEN_FAILED if hidden else f"Smallest failing input found:\nz = {name}\nwrong values" + \
        (f"\nHint: {hint}" if hint else "")
    return CheckResult(name, f"what {name} proves", 1.0, False, feedback, hidden, True, "" if hidden else hint)


EXERCISE = ExerciseResult("softmax", "failed", (
    failed("matches_keras", AXIS), failed("any_axis", AXIS), failed("properties"),
    CheckResult("relu", "passes", 1.0, True), failed("mnist_batches", AXIS),
    failed("mnist_hidden", hidden=True), failed("other_hidden", hidden=True),
))


def test_checks_failed_with_one_hint_are_one_block_and_hidden_failures_another():
    blocks = feedback_blocks(EXERCISE)
    assert [block.names for block in blocks] == [["matches_keras", "any_axis", "mnist_batches"], ["properties"],
                                                 ["mnist_hidden", "other_hidden"]]
    assert "z = matches_keras" in blocks[0].text and "z = any_axis" not in blocks[0].text
    assert "The same hint fits any_axis, mnist_batches" in blocks[0].text


def test_the_report_says_each_hint_once():
    console = Console(file=io.StringIO(), width=100, record=True)
    print_report(SubmissionResult("alice", (EXERCISE,)), console)
    text = console.export_text()
    assert text.count(AXIS) == 1 and text.count(HIDDEN_FAILED.split(" (")[0]) == 1


def test_gradescope_tests_name_the_check_that_shows_the_mistake():
    outputs = {test["name"]: test["output"] for test in gradescope_results(SubmissionResult("alice", (EXERCISE,)))["tests"]}
    assert "z = matches_keras" in outputs["softmax: matches_keras"]
    assert outputs["softmax: any_axis"].startswith("Failed with the same hint as 'softmax: matches_keras'")
    assert "z = any_axis" not in outputs["softmax: any_axis"]
    assert outputs["softmax: properties"].endswith("wrong values")  # its own failure, no hint to share
