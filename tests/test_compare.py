"""Feedback on a wrong result: structure first, then values, with numbers and a hint."""

from __future__ import annotations

import numpy as np
import pytest

from grader.grading.compare import CheckFailed, Mistake, expect_array, expect_fraction, tolerance_for
from grader.grading.student_process import Raised, Returned

EXPECTED = np.array([[0.25, 0.75], [0.5, 0.5]], dtype=np.float32)


def returned(value, kind="ndarray", type_name="numpy.ndarray"):
    return Returned(kind, type_name, None if value is None else np.asarray(value))


def failure(outcome, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as caught:
        expect_array(outcome, EXPECTED, function="softmax", input_dtype=np.float32, notes=[], **kwargs)
    return caught.value


def test_structure_is_checked_in_order():
    assert "returned None" in failure(Returned("none", "NoneType", None)).problem
    assert "returned a list" in failure(returned([[0.25, 0.75], [0.5, 0.5]], "sequence", "list")).problem
    assert "shape (2,)" in failure(returned([0.5, 0.5])).problem
    assert "dtype int64" in failure(returned(np.zeros((2, 2), dtype=np.int64))).problem
    assert "raised ValueError" in failure(Raised("ValueError", "bad")).problem


def test_values_report_numbers_and_arrays():
    problem = failure(returned(EXPECTED + 0.1)).problem
    assert "rtol=0.0001, atol=1e-06" in problem
    assert "4 of 4 values differ beyond" in problem
    assert "largest difference 0.1 (relative" in problem
    assert "Expected (Keras)" in problem and "Got:" in problem


def test_known_mistake_gives_its_hint():
    mistake = Mistake("no bias", lambda keras, expected: expected + 1)
    assert failure(returned(EXPECTED + 1), mistakes=(mistake,)).hint == "no bias"
    assert failure(returned(EXPECTED + 2), mistakes=(mistake,)).hint is None


def test_a_mistake_that_gives_the_right_answer_on_this_input_explains_nothing():
    harmless_here = Mistake("sum, not mean", lambda keras, expected: expected * 1)  # a batch of one: sum = mean
    assert failure(returned(EXPECTED + 1), mistakes=(harmless_here,)).hint is None


def test_hints_are_only_worked_out_when_asked_for():
    calls = []
    mistake = Mistake("slow", lambda keras, expected: calls.append(1) or expected + 1)
    failed = failure(returned(EXPECTED + 1), mistakes=(mistake,))
    assert calls == []
    assert failed.hint == "slow" and failed.hints == ("slow",) and calls == [1]


def test_nonfinite_results_are_named():
    assert "2 nan" in failure(returned([[np.nan, 0.75], [0.5, np.nan]])).problem


def test_a_correct_wider_result_passes_with_a_note():
    notes: list[str] = []
    expect_array(returned(EXPECTED.astype(np.float64)), EXPECTED, function="softmax", input_dtype=np.float32, notes=notes)
    assert notes == ["softmax() returned float64 for float32 input: accepted (a wider float type)."]


def test_tolerances_have_reasons():
    for dtype in ("float16", "float32", "float64"):
        assert tolerance_for(np.dtype(dtype)).why


def test_fractions():
    notes: list[str] = []
    assert expect_fraction(returned(0.5, "scalar", "float"), 0.5, function="accuracy", notes=notes) == 0.5
    with pytest.raises(CheckFailed, match="returned 50.0"):
        expect_fraction(returned(50.0, "scalar", "float"), 0.5, function="accuracy", notes=notes)
    with pytest.raises(CheckFailed, match="should return one number"):
        expect_fraction(returned([0.5]), 0.5, function="accuracy", notes=notes)
