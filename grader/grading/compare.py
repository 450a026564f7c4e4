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

from grader.oracle.service import KerasUnavailable
from grader.grading.student_process import Raised, Returned


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float
    why: str


# Measured on a trained MNIST model: correct float32/float64 results differ from
# model.predict by at most 5e-7, the nearest wrong one (no bias) by 3e-2.
#
# The gradients (dW = x.T @ (p - y) / n, db = sum of (p - y) / n) use the float32 tolerance too, and this is why it
# holds. p carries softmax's error, at most eps * |z| (see tolerance_for); dW averages n rows of x times it, so its
# error is at most max|x| * eps * max|z|. The grading inputs have |x|, |W|, |b| <= 1 and at most 6 inputs, so
# |z| <= 7 and the bound is 8.4e-7 in float32, under atol 1e-6 even at its worst; on the MNIST batches |x| <= 1 and
# |z| <= 9.4 at the trained weights (1.1e-6 at worst, where rtol adds 1e-4 of each entry). Measured with
# `python benchmarks/tolerance_headroom.py` (300 drawn inputs and the 2 public MNIST batches): three correct forms
# (the solution, a log-sum-exp with einsum, float64 cast back) use at most 6.3% of the tolerance; every known
# mistake is outside it on 68-100% of inputs, by a median of 2e4 tolerances or more (where it is not, the mistake
# gives the right answer: the missing 1/n on a batch of one). For the loss (LOSS_TOLERANCE in checks/crossentropy.py,
# argued there) the same run gives: correct forms use at most 1.9%, mistakes are outside by a median of 5e4 or more.
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


def tolerance_for(dtype: np.dtype, scale: float = 0.0) -> Tolerance:
    """The comparison tolerance for results computed from inputs of ``dtype`` whose magnitude reaches ``scale``.

    The input itself is only known to about eps(dtype) * |input|, and a function like softmax passes
    an input error of d to its output as up to d: so the absolute term grows by eps * scale. For
    softmax of [4096., 4096.] in float32 that is 4.9e-4; a correct log-sum-exp computed in float32
    is off by 1.1e-4 there (0.499894), while every known mistake is off by at least 0.1 or gives nan.
    Where the inputs are small (|z| <= 10: 1.2e-6 in float32) this changes nothing.
    """
    base = TOLERANCES.get(np.dtype(dtype).name, TOLERANCES["float32"])
    if not scale:
        return base
    widened = base.atol + float(np.finfo(np.dtype(dtype)).eps) * float(scale)
    return Tolerance(base.rtol, widened, f"{base.why}; plus eps x {scale:g}, what the input's own precision allows")


class CheckFailed(Exception):
    """The student's result is wrong: ``problem`` says how, ``hint`` what to try.

    ``hint`` may also be a tuple of candidate hints (every known mistake the result matches),
    or come later from ``explain``, which is only called if the hints are asked for (finding
    them may need Keras: only the failure that is reported needs them). ``hints`` holds them
    all and ``hint`` the first.
    """

    def __init__(self, problem: str, hint: str | tuple[str, ...] | None = None,
                 explain: Callable[..., tuple[str, ...]] | None = None):
        super().__init__(problem)
        self.problem = problem
        self._hints = hint if isinstance(hint, tuple) else ((hint,) if hint else None)
        self._explain = explain

    @property
    def hints(self) -> tuple[str, ...]:
        if self._hints is None:
            try:
                self._hints = self._explain() if self._explain else ()
            except KerasUnavailable:  # a hint that cannot weigh every known mistake could mislead: none
                self._hints = ()
        return self._hints

    @property
    def hint(self) -> str | None:
        return self.hints[0] if self.hints else None

    def hints_among(self, candidates: tuple[str, ...]) -> tuple[str, ...]:
        """Which of ``candidates`` explain this failure (only those are worked out)."""
        if self._hints is not None or self._explain is None:
            return tuple(hint for hint in self.hints if hint in candidates)
        try:
            return self._explain(set(candidates))
        except KerasUnavailable:
            return ()

    def restated(self, problem: str) -> CheckFailed:
        """The same failure (and hints, still unevaluated) with ``problem`` as its text."""
        return CheckFailed(problem, self._hints, self._explain)


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer: if the student's result matches ``wrong``, the ``hint`` explains it.

    ``wrong(keras, expected, *example)`` gives the mistaken answer on ``example`` (or None where
    the mistake cannot be made), from Keras' answer ``expected`` or from Keras (``keras``, the
    oracle) on a changed input: never from NumPy code that computes the exercise, which would put
    a working answer into the handout.
    """

    hint: str
    wrong: Callable[..., np.ndarray | float | list | None]
    symptom: Callable[..., bool] | None = None
    """Instead of a wrong answer: ``symptom(got, expected, *example)`` says whether ``got`` shows the mistake
    (e.g. nan exactly where exp() overflows), for mistakes whose answer would take the exercise's own code."""
    symptom_needs_keras: bool = False
    """Call ``symptom(keras, got, expected, *example)`` instead: the symptom is judged on Keras' intermediates."""


PRODUCT_HINT = ("x is (batch, inputs) and W is (inputs, units), as Keras stores the kernel, so the product is x @ W: "
                "x @ W.T or W @ x fails, or, with as many inputs as units, runs and gives the transposed product.")
"""One hint for a transposed kernel whether the product crashed or ran: the same mistake gives one feedback block."""
RAISED_HINTS = (
    ("matmul", PRODUCT_HINT),
    ("could not be broadcast", "The shapes do not broadcast: keep the summed axis with keepdims=True, and check "
                               "which axis each operation runs along."),
    ("not aligned", PRODUCT_HINT),
)


def returned_value(outcome: Returned | Raised, function: str) -> Returned:
    """The Returned outcome, or CheckFailed if the function raised."""
    if isinstance(outcome, Raised):
        hint = next((hint for text, hint in RAISED_HINTS if text in outcome.message), None)
        raise CheckFailed(f"{function}() raised {outcome.exception}:\n{outcome.message}", hint)
    return outcome


def expect_array_shape(outcome: Returned | Raised, shape: tuple, *, function: str) -> np.ndarray:
    """Check everything but the values: an exception, None, the type, the shape, a float dtype."""
    return _structure(returned_value(outcome, function), np.empty(shape), function)


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
    oracle=None,
    scale: float = 0.0,
) -> np.ndarray:
    """Check an array result against ``expected``; return the plain array when it passes.

    ``mistakes`` are tried on ``example`` (with ``oracle`` for Keras) only if the hint is asked for.
    ``scale`` is the input's magnitude where the result is as sensitive to it as softmax is (see
    ``tolerance_for``).
    """
    tolerance = tolerance_for(input_dtype, scale)
    explain = _explainer(example, mistakes, oracle, expected, tolerance)
    got = _structure(returned_value(outcome, function), expected, function, explain)
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        raise CheckFailed(
            f"{function}() returned {_count_nonfinite(got)} where {what} has finite values.\n"
            f"{_pair(got, expected, what, tolerance)}",
            explain=lambda only=None: explain(got, only),
        )
    try:
        if not _within(got, expected, tolerance):  # the quick test first; numpy.testing for the message
            np.testing.assert_allclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol, verbose=False)
    except AssertionError:
        details = _differences(got, expected, tolerance)
        raise CheckFailed(
            f"{function}() returned wrong values: {details}\n{_pair(got, expected, what, tolerance)}",
            explain=lambda only=None: explain(got, only),
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
    oracle=None,
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
            tolerance = tolerance_for(input_dtype)
            explain = _explainer(example, mistakes, oracle, expected, tolerance)
            raise CheckFailed(failure.problem, explain=lambda only=None, item_failure=failure: (
                explain(list(returned.items), only) or item_failure.hints)) from None
    return got


SCALAR_TOLERANCE = Tolerance(0.0, 1e-6, "an accuracy is a count over at most a few hundred rows: exact to 1e-6")


def expect_fraction(outcome: Returned | Raised, expected: float, *, function: str, notes: list[str],
                    mistakes: tuple[Mistake, ...] = (), example: tuple = (), what: str = "Keras",
                    tolerance: Tolerance = SCALAR_TOLERANCE, oracle=None) -> float:
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
        explain = _explainer(example, mistakes, oracle, expected, tolerance)
        raise CheckFailed(f"{function}() returned {got!r}; {what} gives {expected!r}.",
                          explain=lambda only=None: explain(got, only))
    return got


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)


def _structure(returned: Returned, expected: np.ndarray, function: str,
               explain: Callable[[np.ndarray], tuple[str, ...]] | None = None) -> np.ndarray:
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
        def explain_shape(only=None) -> tuple[str, ...]:
            # The known mistakes that give this shape, then what the shapes alone say: when the smallest input
            # fits a mistake by coincidence (1 unit, 1 input), the larger failing inputs vote between them.
            fallback = _shape_hint(got.shape, expected.shape)
            hints = explain(got, only) if explain else ()
            return (*hints, fallback) if only is None or fallback in only else hints
        raise CheckFailed(f"{function}() returned shape {got.shape}; expected shape {expected.shape}.",
                          explain=explain_shape)
    if got.dtype.kind != "f":
        raise CheckFailed(
            f"{function}() returned dtype {got.dtype}; expected a float array like {expected.dtype}.",
            "Complex numbers crept in (a complex dtype, or np.emath on negatives): return real floats."
            if got.dtype.kind == "c" else "Integer results lose the fractions: avoid //, astype(int) and np.round.",
        )
    return got


def _shape_hint(got: tuple, expected: tuple) -> str:
    if got == expected[::-1]:
        return "The shape is transposed: check the order of the matrix product and which axis you used."
    if len(got) < len(expected):
        return "An axis disappeared: a sum or max without keepdims=True, or indexing that drops an axis?"
    if len(got) > len(expected) and tuple(n for n in got if n != 1) == tuple(n for n in expected if n != 1):
        return ("An axis of length 1 was added: reshaping an input to 2-D (reshape(1, -1), np.newaxis, b[None, :]) "
                "adds one; plain broadcasting (x @ W + b) keeps the input's own axes.")
    return "Compare each step's shape with the docstring's shapes."


def _count_nonfinite(got: np.ndarray) -> str:
    nan, inf = int(np.isnan(got).sum()), int(np.isinf(got).sum())
    return " and ".join(part for part in (f"{nan} nan" if nan else "", f"{inf} inf" if inf else "") if part)


def _explainer(example: tuple, mistakes: tuple[Mistake, ...], oracle, expected, tolerance: Tolerance):
    """``(got, only) -> hints``: every known mistake (of those whose hint is in ``only``, if given) that explains
    ``got`` on this example (see ``_explains``)."""
    def explain(got, only=None) -> tuple[str, ...]:
        hints = []
        tried = tuple(m for m in mistakes if only is None or m.hint in only)
        for mistake in tried:
            if mistake.symptom is not None:
                try:
                    with np.errstate(all="ignore"):
                        shown = mistake.symptom(*((oracle,) if mistake.symptom_needs_keras else ()),
                                                got, expected, *example)
                except KerasUnavailable:
                    raise
                except Exception:  # noqa: BLE001 - not on this input
                    shown = False
                if shown:
                    hints.append(mistake.hint)
        return tuple(hints) + tuple(mistake.hint for mistake, wrong in _wrong_answers(example, tried, oracle, expected)
                                    if _explains(got, wrong, expected, tolerance))

    return explain


def _explains(got, wrong, expected, tolerance: Tolerance) -> bool:
    """True if the mistake gives what the student got (within the check's own tolerance) and, on this input,
    differs from the right answer beyond it: a hint that also fits the right answer would explain nothing."""
    if isinstance(wrong, list) or isinstance(got, list):
        if not (isinstance(wrong, list) and isinstance(got, list) and len(wrong) == len(got) == len(expected)):
            return False
        return all(_close(g, w, tolerance) for g, w in zip(got, wrong)) and \
            not all(_close(e, w, tolerance) for e, w in zip(expected, wrong))
    return _close(got, wrong, tolerance) and not _close(expected, wrong, tolerance)


def _close(a, b, tolerance: Tolerance) -> bool:
    if a is None or b is None:
        return False
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=tolerance.rtol, atol=tolerance.atol,
                                equal_nan=True))


def _wrong_answers(example: tuple, mistakes: tuple[Mistake, ...], oracle, expected):
    """(mistake, its wrong answer on this example), for each mistake that can be made on it."""
    for mistake in mistakes:
        try:
            with np.errstate(all="ignore"):
                wrong = mistake.wrong(oracle, expected, *example)
        except KerasUnavailable:
            raise  # the hints are not worked out at all (CheckFailed.hints): one left out could make another mislead
        except Exception:  # noqa: BLE001 - that mistake cannot be made on this input
            continue
        if wrong is not None:
            yield mistake, wrong


def _differences(got: np.ndarray, expected: np.ndarray, tolerance: Tolerance) -> str:
    """numpy.testing's verdict in one line: how many values differ beyond which tolerance, and by how much (the
    rows shown below say where)."""
    with np.errstate(all="ignore"):
        a, b = got.astype(np.float64), expected.astype(np.float64)
        wrong = ~np.isclose(a, b, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
        difference = np.abs(a - b)[wrong]
        relative = (difference / np.abs(b[wrong]))
    largest = f"; largest difference {difference.max():.4g}" if difference.size and np.isfinite(difference.max()) else ""
    if largest and np.isfinite(relative).any():
        largest += f" (relative {np.nanmax(np.where(np.isfinite(relative), relative, np.nan)):.4g})"
    return (f"{int(wrong.sum())} of {wrong.size} values differ beyond rtol={tolerance.rtol:g}, "
            f"atol={tolerance.atol:g}{largest}.")


ROWS_SHOWN = 3
"""A result with more rows than this shows only its first rows that differ (and says which, of how many)."""


def _pair(got: np.ndarray, expected: np.ndarray, what: str, tolerance: Tolerance | None = None) -> str:
    if tolerance is not None and got.shape == expected.shape and got.ndim >= 2 and len(got) > ROWS_SHOWN:
        with np.errstate(all="ignore"):
            close = np.isclose(got.astype(np.float64), expected.astype(np.float64), rtol=tolerance.rtol,
                               atol=tolerance.atol, equal_nan=True)
        differing = np.flatnonzero(~close.reshape(len(got), -1).all(axis=1))
        if differing.size:
            rows = differing[:ROWS_SHOWN]
            where = (f"rows {', '.join(map(str, rows))} of {len(got)} ({differing.size} rows differ; "
                     f"the first {len(rows)} shown)")
            return (f"Expected ({what}), {where}:\n{show(expected[rows], wide=True)}\n"
                    f"Got, the same rows:\n{show(got[rows], wide=True)}")
    return f"Expected ({what}):\n{show(expected)}\nGot:\n{show(got)}"


def show(value, wide: bool = False) -> str:
    """An array or value, short enough for feedback (long arrays are cut in the middle; ``wide`` shows rows of up
    to 16 values whole)."""
    with np.printoptions(threshold=48 if wide else 24, edgeitems=3, precision=4 if wide else 6, linewidth=88):
        return "  " + repr(value).replace("\n", "\n  ")
