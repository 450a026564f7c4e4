"""Comparing what a student's function returned with what was expected, and saying how they differ.

Checks go in PrairieLearn's order and stop at the first structural problem: an
exception, None, not an array (or not a number), the shape, the dtype, then the values,
which numpy.testing.assert_allclose compares and describes. The checks add what numpy
cannot know: the input, and a hint when the wrong answer matches a known mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from grader.student_process import Raised, Returned


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    why: str


# Measured on a trained MNIST model: correct float32/float64 results differ from
# model.predict by at most 5e-7, the nearest wrong one (no bias) by 3e-2.
TOLERANCES = {
    "float16": Tolerance(
        1e-2,
        1e-3,
        "float16 keeps ~3 significant digits (spacing 1e-3 near 1); a correct result computed in float16 "
        "or in a wider type lands within 1% of Keras",
    ),
    "float32": Tolerance(
        1e-4,
        1e-6,
        "correct float32/float64 results differ from Keras by <5e-7, wrong ones by >1e-2; the absolute "
        "term is needed because TensorFlow flushes denormals to zero",
    ),
}
TOLERANCES["float64"] = TOLERANCES["float32"]


def tolerance_for(dtype: np.dtype) -> Tolerance:
    """The comparison tolerance for results computed from inputs of ``dtype``."""
    return TOLERANCES.get(np.dtype(dtype).name, TOLERANCES["float32"])


class CheckFailed(Exception):
    """The student's result is wrong: ``problem`` says how, ``hint`` what to try.

    ``hint`` may also be a tuple of candidate hints (every known mistake the result
    matches); ``hints`` holds them all and ``hint`` the first.
    """

    def __init__(self, problem: str, hint: str | tuple[str, ...] | None = None):
        super().__init__(problem)
        self.hints = hint if isinstance(hint, tuple) else ((hint,) if hint else ())
        self.problem, self.hint = problem, (self.hints[0] if self.hints else None)


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: if the student's result matches ``wrong``, the ``hint`` explains it."""

    hint: str
    wrong: Callable[..., np.ndarray | float | None]


RAISED_HINTS = (
    ("matmul", "The shapes do not line up for the matrix product: x is (batch, inputs) and W is (inputs, units), "
               "so the product is x @ W."),
    ("could not be broadcast", "The shapes do not broadcast: keep the summed axis with keepdims=True, and check "
                               "which axis each operation runs along."),
    ("not aligned", "The shapes do not line up for the matrix product: x @ W takes x (batch, inputs) and W (inputs, units)."),
)


def returned_value(outcome: Returned | Raised, function: str) -> Returned:
    """The Returned outcome, or CheckFailed if the function raised."""
    if isinstance(outcome, Raised):
        hint = next((hint for text, hint in RAISED_HINTS if text in outcome.message), None)
        raise CheckFailed(f"{function}() raised {outcome.exception}:\n{outcome.message}", hint)
    return outcome


def expect_array_shape(outcome: Returned | Raised, shape: tuple, *, function: str) -> np.ndarray:
    """Check everything but the values: an exception, None, the type, the shape, a float dtype."""
    return _structure(returned_value(outcome, function), np.empty(shape), function, (), ())


def expect_array(
    outcome: Returned | Raised,
    expected: np.ndarray,
    *,
    function: str,
    input_dtype: np.dtype,
    notes: list[str],
    mistakes: tuple[Mistake, ...] = (),
    example: tuple = (),
    what: str = "Keras",
) -> np.ndarray:
    """Check an array result against ``expected``; return the plain array when it passes."""
    got = _structure(returned_value(outcome, function), expected, function, example, mistakes)
    tolerance = tolerance_for(input_dtype)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        raise CheckFailed(
            f"{function}() returned {_count_nonfinite(got)} where {what} has finite values.\n{_pair(got, expected, what)}",
            _hint(got, example, mistakes),
        )
    try:
        if not _within(got, expected, tolerance):  # the quick test first; numpy.testing for the message
            np.testing.assert_allclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol, verbose=False)
    except AssertionError as error:
        details = str(error).strip()
        raise CheckFailed(
            f"{function}() returned wrong values: {details}\n{_pair(got, expected, what)}",
            _hint(got, example, mistakes),
        ) from None
    if got.dtype.itemsize > np.dtype(input_dtype).itemsize:
        _note(notes, f"{function}() returned {got.dtype} for {np.dtype(input_dtype)} input: accepted (a wider float type).")
    return got


def _within(got: np.ndarray, expected: np.ndarray, tolerance: Tolerance) -> bool:
    """True if every value is within tolerance: assert_allclose's own test, without its report.

    False also where that test alone cannot tell (NaN, infinities, other shapes): then
    numpy.testing decides.
    """
    if got.shape != expected.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(got - expected) <= tolerance.atol + tolerance.rtol * np.abs(expected)))


def expect_array_list(
    outcome: Returned | Raised,
    expected: list[np.ndarray],
    *,
    function: str,
    names: tuple[str, ...],
    input_dtype: np.dtype,
    notes: list[str],
    mistakes: tuple[Mistake, ...] = (),
    example: tuple = (),
    what: str = "Keras",
) -> list[np.ndarray]:
    """Check a list of arrays (e.g. [dW, db]) item by item; a hint needs every item to match a known mistake."""
    returned = returned_value(outcome, function)
    listing = ", ".join(names)
    if returned.kind != "sequence" or returned.items is None:
        raise CheckFailed(f"{function}() returned a {returned.type_name}; it should return a list [{listing}].",
                          f"Return them together: return [{listing}].")
    if len(returned.items) != len(expected):
        raise CheckFailed(f"{function}() returned {len(returned.items)} items; expected {len(expected)}: [{listing}].")
    got = []
    for name, item, want in zip(names, returned.items, expected):
        as_array = Returned("ndarray" if item is not None else "other", "an item that is not a number array", item)
        try:
            got.append(expect_array(as_array, want, function=f"{function}()'s {name}", input_dtype=input_dtype,
                                    notes=notes, what=what))
        except CheckFailed as failure:
            raise CheckFailed(failure.problem, _list_hint(returned.items, example, mistakes) or failure.hints) from None
    return got


def _list_hint(items: tuple, example: tuple, mistakes: tuple[Mistake, ...]) -> tuple[str, ...]:
    """Every known mistake whose wrong list of arrays matches ``items``, item by item."""
    return tuple(
        mistake.hint for mistake, wrong in _wrong_answers(example, mistakes)
        if len(wrong) == len(items) and all(
            item is not None and np.shape(item) == np.shape(w) and np.allclose(item, w, rtol=1e-3, atol=1e-5)
            for item, w in zip(items, wrong))
    )


SCALAR_TOLERANCE = Tolerance(0.0, 1e-6, "an accuracy is a count over at most a few hundred rows: exact to 1e-6")


def expect_fraction(outcome: Returned | Raised, expected: float, *, function: str, notes: list[str],
                    mistakes: tuple[Mistake, ...] = (), example: tuple = (), what: str = "Keras",
                    tolerance: Tolerance = SCALAR_TOLERANCE) -> float:
    """Check a scalar result (a Python float) against ``expected`` within ``tolerance``."""
    returned = returned_value(outcome, function)
    if returned.kind == "none":
        raise CheckFailed(f"{function}() returned None.", "Did you forget the return statement?")
    if returned.kind != "scalar" or returned.value is None:
        raise CheckFailed(
            f"{function}() returned a {returned.type_name}; it should return one number, a Python float.",
            "Wrap the result: return float(np.mean(...)).",
        )
    got = float(returned.value)
    if returned.type_name not in ("float", "numpy.float64"):
        _note(notes, f"{function}() returned {returned.type_name}: accepted, but float(...) makes it a plain Python float.")
    if not abs(got - expected) <= tolerance.atol + tolerance.rtol * abs(expected):
        raise CheckFailed(
            f"{function}() returned {got!r}; {what} gives {expected!r}.",
            _hint(np.asarray(got), example, mistakes),
        )
    return got


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)


def _structure(returned: Returned, expected: np.ndarray, function: str, example: tuple,
               mistakes: tuple[Mistake, ...]) -> np.ndarray:
    if returned.kind == "none":
        raise CheckFailed(f"{function}() returned None.", "Did you forget the return statement?")
    if returned.kind != "ndarray":
        raise CheckFailed(
            f"{function}() returned a {returned.type_name}; it should return a NumPy array.",
            "Build the result with NumPy operations, or convert it with np.asarray(...).",
        )
    if returned.value is None:
        raise CheckFailed(f"{function}() returned an array that is not numeric.", "Return an array of floats.")
    got = returned.value
    if got.shape != expected.shape:
        raise CheckFailed(
            f"{function}() returned shape {got.shape}; expected shape {expected.shape}.",
            _hint(got, example, mistakes) or _shape_hint(got.shape, expected.shape),
        )
    if got.dtype.kind != "f":
        raise CheckFailed(
            f"{function}() returned dtype {got.dtype}; expected a float array like {expected.dtype}.",
            "Integer results lose the fractions: avoid //, astype(int) and np.round.",
        )
    return got


def _shape_hint(got: tuple, expected: tuple) -> str:
    if got == expected[::-1]:
        return "The shape is transposed: check the order of the matrix product and which axis you used."
    if len(got) < len(expected):
        return "An axis disappeared: a sum or max without keepdims=True, or indexing that drops an axis?"
    return "Compare each step's shape with the docstring's shapes."


def _count_nonfinite(got: np.ndarray) -> str:
    nan, inf = int(np.isnan(got).sum()), int(np.isinf(got).sum())
    return " and ".join(part for part in (f"{nan} nan" if nan else "", f"{inf} inf" if inf else "") if part)


def _hint(got: np.ndarray, example: tuple, mistakes: tuple[Mistake, ...]) -> tuple[str, ...]:
    """Every known mistake whose wrong answer matches ``got`` on this example."""
    matches = []
    for mistake, wrong in _wrong_answers(example, mistakes):
        wrong = np.asarray(wrong)
        with np.errstate(all="ignore"):
            if wrong.shape == got.shape and np.allclose(got, wrong, rtol=1e-3, atol=1e-5, equal_nan=True):
                matches.append(mistake.hint)
    return tuple(matches)


def _wrong_answers(example: tuple, mistakes: tuple[Mistake, ...]):
    """(mistake, its wrong answer on this example), for each mistake that can be made on it."""
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(*example)
        except (ValueError, TypeError, IndexError, ArithmeticError):
            continue  # that mistake cannot even be made on this input
        if wrong is not None:
            yield mistake, wrong


def _pair(got: np.ndarray, expected: np.ndarray, what: str) -> str:
    return f"Expected ({what}):\n{show(expected)}\nGot:\n{show(got)}"


def show(value) -> str:
    """An array or value, short enough for feedback (long arrays are cut in the middle)."""
    with np.printoptions(threshold=24, edgeitems=3, precision=6, linewidth=88):
        return "  " + repr(value).replace("\n", "\n  ")
