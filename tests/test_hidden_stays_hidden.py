"""Nothing from a hidden check (its inputs, what the code printed or raised on them) reaches the student."""

from __future__ import annotations

import json

import pytest

from conftest import SECRET
from corpus import ROOT, assemble
from grader.grading.submission import grade_submission
from grader.grading.reports import gradescope_results
from grader.references.secret import load_secret

pytestmark = pytest.mark.slow


def _values(batches) -> list[str]:
    """How the submission would print the first logits of each batch (Python floats, full precision)."""
    return [repr(value) for batch in batches.logits for value in batch.ravel()[:3].tolist()]


def test_what_the_code_saw_in_a_hidden_check_is_never_shown(course, tmp_path):
    references = load_secret(SECRET)
    submission = assemble(ROOT / "hostile" / "leaks_what_it_sees", tmp_path)
    result = grade_submission(submission, course.only_assignment("forward_pass"), sandbox=True, secret=SECRET)
    shown = json.dumps(result.summary()) + json.dumps(gradescope_results(result))
    visible, hidden = _values(references.visible)[:3], _values(references.hidden)  # the check stops at a failure
    assert sum(value in shown for value in visible) == len(visible)  # it does print and raise what it sees...
    assert [value for value in hidden if value in shown] == []  # ...but nothing of the hidden batches comes back
    softmax = next(e for e in result.exercises if e.name == "softmax")
    hidden_check = next(c for c in softmax.checks if c.hidden)
    assert not hidden_check.passed and "not shown" in hidden_check.feedback


@pytest.mark.parametrize("entry", ["leaks_through_the_worker", "exits_with_what_it_saw"])
def test_the_worker_process_carries_nothing_of_a_hidden_check_out(course, tmp_path, entry):
    """The worker's record of forbidden imports, a returned type's name and the exit code are in reach of the code:
    none of them may carry a hidden batch's labels to the student."""
    references = load_secret(SECRET)
    submission = assemble(ROOT / "hostile" / entry, tmp_path)
    result = grade_submission(submission, course.only_assignment("forward_pass"), sandbox=True, secret=SECRET)
    shown = json.dumps(result.summary()) + json.dumps(gradescope_results(result)) + json.dumps(result.to_record())
    hidden = ["".join(str(d) for d in batch.argmax(axis=-1)[:40]) for batch in references.hidden.y]
    visible = ["".join(str(d) for d in batch.argmax(axis=-1)[:40]) for batch in references.visible.y]
    assert [labels for labels in hidden if labels[:12] in shown] == []
    assert "exit code" not in shown and "tensorflow" + hidden[0][:12] not in shown
    accuracy = next(e for e in result.exercises if e.name == "accuracy")
    assert accuracy.status == ("forbidden" if entry == "leaks_through_the_worker" else "crashed")
    assert "While a hidden check ran" in accuracy.message
    if entry == "leaks_through_the_worker":  # the channel works: the visible checks' labels do come back
        assert all(labels[:12] in shown for labels in visible)
