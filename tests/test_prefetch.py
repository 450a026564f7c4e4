"""Calls made ahead (Context.prefetch): a check's replayed examples cost as many messages to the worker as a body
makes calls, not one per call, and every body sees the very outcomes its calls would have had one by one."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grader.checks.base import Context
from grader.grading.compare import CheckFailed
from grader.grading.student_process import CallLost, ExerciseStopped, Returned, StudentProcess

EXAMPLES = [(np.arange(n, dtype=np.float64),) for n in range(1, 11)]


class _Worker:
    """Answers at once, as the student's worker would, and keeps the messages it was sent."""

    request = staticmethod(StudentProcess.request)

    def __init__(self, function, lose_after: int | None = None, not_attempted: bool = False):
        self.function, self.lose_after, self.not_attempted = function, lose_after, not_attempted
        self.messages: list[list[tuple]] = []

    def call_many(self, requests):
        self.messages.append([request.args for request in requests])
        if self.lose_after is not None and len(self.messages) > self.lose_after:
            return [CallLost("crashed", "the worker died")]  # a lost call ends the list, as StudentProcess does
        if self.not_attempted:  # a stub: each call stops the exercise
            return [ExerciseStopped("not_attempted", "f() still raises NotImplementedError") for _ in requests]
        return [Returned("ndarray", "ndarray", np.asarray(self.function(*request.args))) for request in requests]

    def call(self, module, function, *args, return_args=False, **kwargs):
        outcome = self.call_many([self.request(module, function, *args, return_args=return_args, **kwargs)])[0]
        if isinstance(outcome, CallLost):
            raise outcome
        return outcome


def _context(worker: _Worker) -> Context:
    return Context(student=worker, module="m", function="f", oracle=SimpleNamespace(unavailable=False),
                   references=SimpleNamespace(secret=False), hypothesis_settings=None, recording=None, key="m.check")


def _replayed(function, body_of, prefetch: bool, lose_after: int | None = None):
    """What each example's body saw, and the messages sent, replaying EXAMPLES as check_property does."""
    worker = _Worker(function, lose_after)
    ctx, seen = _context(worker), []
    body = body_of(ctx, seen)
    if prefetch:
        ctx.prefetch(EXAMPLES, body)
        seen.clear()  # what the bodies saw while their calls were collected
    failure = None
    for example in EXAMPLES:
        try:
            body(*example)
        except CheckFailed as error:
            failure = str(error.problem)
            break
    return seen, failure, worker.messages


def _shift_invariance(ctx, seen):
    """Like softmax's test_properties: a call, a check of its result, a second call on an input made from it."""
    def body(z):
        first = ctx.call(z).value
        if first.shape != z.shape:
            raise CheckFailed(f"shape {first.shape} for input of {z.size}")
        second = ctx.call(z + 3).value
        seen.append((first, second))
    return body


def test_bodies_with_two_calls_cost_two_messages_and_see_what_one_by_one_calls_give():
    function = lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()  # noqa: E731
    ahead, failure, messages = _replayed(function, _shift_invariance, prefetch=True)
    one_by_one, failure_alone, messages_alone = _replayed(function, _shift_invariance, prefetch=False)
    assert failure is None and failure_alone is None
    assert [len(message) for message in messages] == [1, 9, 10]  # the exercise's very first call alone, then
    # every other first call, then every second call
    assert len(messages_alone) == 20
    for (first, second), (first_alone, second_alone) in zip(ahead, one_by_one, strict=True):
        np.testing.assert_array_equal(first, first_alone)
        np.testing.assert_array_equal(second, second_alone)
    assert sorted(str(call) for message in messages for call in message) == \
        sorted(str(call) for message in messages_alone for call in message)  # the same calls, nothing more


def test_a_failing_body_stops_the_calls_made_ahead_where_the_replay_stops():
    function = lambda z: z if z.size != 5 else z[:4]  # noqa: E731 - the body fails on the fifth example only
    ahead, failure, messages = _replayed(function, _shift_invariance, prefetch=True)
    one_by_one, failure_alone, _ = _replayed(function, _shift_invariance, prefetch=False)
    assert failure == failure_alone == "shape (4,) for input of 5"
    assert [len(message) for message in messages] == [1, 9, 4]  # no second call made ahead for the failing body
    assert len(ahead) == len(one_by_one) == 4
    for (first, second), (first_alone, second_alone) in zip(ahead, one_by_one):
        np.testing.assert_array_equal(first, first_alone)
        np.testing.assert_array_equal(second, second_alone)


def test_an_example_whose_outcome_was_made_ahead_gets_it_after_one_that_stopped_early():
    """A voter (an example after the failing one) is handed its own outcome, past the failing body's
    unused ones."""
    function = lambda z: z[:4]  # noqa: E731
    worker = _Worker(function)
    ctx, seen = _context(worker), []
    body = _shift_invariance(ctx, seen)
    ctx.prefetch(EXAMPLES[:3] + [EXAMPLES[-1]], body)  # two calls made ahead for the first three, one for the last
    body(*EXAMPLES[0])  # the first example runs, then (as after a failure) a voter further on: its first call
    sent = len(worker.messages)  # was made ahead, and is handed out past the unused outcomes of the ones between
    with pytest.raises(CheckFailed):
        body(*EXAMPLES[-1])
    assert len(worker.messages) == sent


def test_a_lost_call_made_ahead_stops_the_exercise_where_its_body_makes_it():
    function = lambda z: z  # noqa: E731
    worker = _Worker(function, lose_after=2)
    ctx, seen = _context(worker), []
    body = _shift_invariance(ctx, seen)
    ctx.prefetch(EXAMPLES, body)
    assert [len(message) for message in worker.messages] == [1, 9, 10]  # the third message lost the worker:
    with pytest.raises(CallLost, match="the worker died"):  # nothing more is made ahead, and the body that
        body(*EXAMPLES[0])  # made the lost call stops the exercise, as a lost call made then would
    assert len(worker.messages) == 3


def test_a_stub_costs_one_call_not_one_per_example():
    """An exercise's very first call goes alone: a stub stops the exercise there, and nothing more is made."""
    worker = _Worker(lambda z: z, not_attempted=True)
    ctx, seen = _context(worker), []
    body = _shift_invariance(ctx, seen)
    ctx.prefetch(EXAMPLES, body)
    assert [len(message) for message in worker.messages] == [1]
    with pytest.raises(ExerciseStopped, match="NotImplementedError"):
        body(*EXAMPLES[0])
    assert len(worker.messages) == 1


def test_once_the_exercise_has_answered_the_calls_made_ahead_go_together():
    worker = _Worker(lambda z: z)
    ctx, seen = _context(worker), []
    ctx.call(np.zeros(3))  # a check before this one called the function
    ctx.prefetch(EXAMPLES, _shift_invariance(ctx, seen))
    assert [len(message) for message in worker.messages] == [1, 10, 10]
