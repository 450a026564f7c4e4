"""The helpers a check module calls: a plain assert fails a check the way CheckFailed does."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.base import failed_assertions
from grader.grading.compare import CheckFailed


def test_a_plain_or_numpy_testing_assert_fails_a_check_with_its_message():
    def body(z):
        np.testing.assert_allclose(z, np.zeros_like(z), err_msg="every value of z should be 0")

    failed_assertions(body)(np.zeros(3))  # passes quietly
    with pytest.raises(CheckFailed, match="every value of z should be 0") as failure:
        failed_assertions(body)(np.ones(3))
    assert "Mismatched elements: 3 / 3" in failure.value.problem and failure.value.hint is None

    def bare(z):
        raise AssertionError  # what `assert z.sum() == 0` raises in a check module (pytest rewrites this one's)

    with pytest.raises(CheckFailed, match="An assertion of the check failed."):
        failed_assertions(bare)(np.ones(2))


def _context(function):
    """A Context with no recording and no secret, as at `grader build` time; the student's ``function`` runs here."""
    from types import SimpleNamespace

    from grader.checks.base import Context
    from grader.grading.replay import Recording
    from grader.grading.strategies import grading_settings

    student = SimpleNamespace(call=lambda module, name, *args, return_args=False, **kwargs: function(*args, **kwargs))
    return Context(student=student, module="m", function="f", oracle=SimpleNamespace(unavailable=False),
                   references=SimpleNamespace(secret=False), hypothesis_settings=grading_settings(30),
                   recording=Recording(), key="m.check")


def test_a_check_is_a_hypothesis_test_whose_fixtures_are_named_parameters():
    from hypothesis import given
    from hypothesis import strategies as st

    from grader.checks.base import runner
    from grader.grading.strategies import unpacked

    seen = []

    @given(**unpacked(st.tuples(st.integers(0, 5), st.integers(0, 5)).map(sorted).map(tuple), "low", "high"))
    def test_ordered(student, notes, low, high):
        seen.append((low, high))
        assert student(low, high) <= high, f"got {student(low, high)}, more than high"

    runner(test_ordered)(_context(lambda low, high: low))  # right: passes on every draw
    assert seen and all(low <= high for low, high in seen)  # drawn together, by name
    with pytest.raises(CheckFailed) as failure:
        runner(test_ordered)(_context(lambda low, high: high + 1))
    assert failure.value.problem.startswith("Smallest failing input found:\nlow = 0\nhigh = 0\ngot 1, more than high")


def test_a_check_asking_for_something_unknown_is_refused_with_a_sentence():
    from hypothesis import given
    from hypothesis import strategies as st

    from grader.checks.base import runner

    @given(z=st.integers())
    def test_typo(studnet, z):
        """a typo in a fixture's name"""

    with pytest.raises(TypeError, match=r"test_typo asks for studnet, which is neither a fixture of the checks "
                                        r"\(student, keras, notes, references, mnist, mnist_hidden, ctx\) nor drawn by its @given"):
        runner(test_typo)


def test_unpacked_arguments_are_drawn_as_the_strategy_they_come_from():
    """The recorded examples were drawn from the tuple strategies: @given's named form must draw the very same."""
    from hypothesis import given

    from grader.grading import strategies

    def draws(strategy):
        out = []

        @strategies.grading_settings(40)
        @given(strategy)
        def property_holds(example):
            out.append(example)

        property_holds()
        return out

    tuples = strategies.logits_with_axis()
    for old, new in ((tuples, strategies.examples(tuple(strategies.unpacked(tuples, "z", "axis").values()))),
                     (strategies.logits().map(lambda z: (z,)), strategies.examples((strategies.logits(),)))):
        before, after = draws(old), draws(new)
        assert len(before) == len(after) == 40
        for a, b in zip(before, after):
            assert len(a) == len(b) and all(np.array_equal(x, y) and np.asarray(x).dtype == np.asarray(y).dtype
                                            for x, y in zip(a, b))
