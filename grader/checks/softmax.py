"""How softmax(z, axis=-1) is graded."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context, MnistBatches
from grader.grading.compare import CheckFailed, Mistake, expect_array, expect_array_shape, show, tolerance_for


def exp_left_range(got, p, z, axis) -> bool:
    """True if ``got`` is right except in slices where exp() of the scores leaves the dtype's range (overflow to
    inf, or every value of the slice underflowing to 0) and is wrong (nan, inf or 0) exactly there. That includes
    slices whose spread alone reaches the overflow: there a shift by anything but the maximum (the mean, the
    first score) still overflows, as float16's limit of exp(11.1) shows on ordinary scores."""
    if np.shape(got) != p.shape or z.ndim == 0:
        return False
    info = np.finfo(z.dtype)
    axis = axis % z.ndim
    wide = z.astype(np.float64)
    top = np.max(wide, axis=axis, keepdims=True)
    limit = np.log(info.max) - np.log(z.shape[axis])
    spread = top - np.min(wide, axis=axis, keepdims=True)
    outside = (top > limit) | (spread > limit) | (top < np.log(info.smallest_subnormal))
    outside = np.broadcast_to(outside, z.shape)
    if not outside.any():
        return False
    got = np.asarray(got, dtype=np.float64)
    empty = np.broadcast_to(np.all(got == 0, axis=axis, keepdims=True), z.shape)  # every exp() rounded to 0
    broken = ~np.isfinite(got) | empty
    return bool(broken[outside].any() and not broken[~outside].any())


def _unnormalised(p, axis):
    """exp(z - max) of each slice, from Keras' answer: p divided by its slice's largest value."""
    return p / np.max(p, axis=axis, keepdims=True)


def _other_axis(keras, z, axis):
    return keras.softmax(z, 0 if axis % z.ndim != 0 else -1) if z.ndim >= 2 else None


MISTAKES = (
    Mistake("You normalised along the wrong axis: sum over `axis` (the classes), not over the batch.",
            lambda keras, p, z, axis: _other_axis(keras, z, axis)),
    Mistake(
        "The sums are not lined up with their slices: keep the summed axis with keepdims=True, "
        "so each slice is divided by its own sum.",
        lambda keras, p, z, axis: _unnormalised(p, axis) * np.max(p, axis=axis),
    ),
    Mistake(
        "You divided by the sum of the whole array; each slice along `axis` must sum to 1 on its own.",
        lambda keras, p, z, axis: keras.softmax(z.reshape(-1), -1).reshape(z.shape),
    ),
    Mistake("You returned the scores unchanged: apply exp, then divide by the sum.", lambda keras, p, z, axis: z),
    Mistake("The exponentials are right but not normalised: divide by their sum along `axis`.",
            lambda keras, p, z, axis: _unnormalised(p, axis)),
)
EXP_RANGE = Mistake(
    "exp() left the float range (overflow to inf, or every value of a slice rounding to 0): subtract each "
    "slice's maximum (np.max(z, axis=axis, keepdims=True)) before np.exp. Softmax does not change when every "
    "score of a slice moves by the same amount.",
    lambda keras, p, z, axis: None, symptom=exp_left_range,
)
MISTAKES = (EXP_RANGE, *MISTAKES)


def _expect_keras(ctx: Context, z: np.ndarray, axis: int | None) -> None:
    outcome = ctx.call(z) if axis is None else ctx.call(z, axis=axis)
    expected = ctx.oracle.softmax(z, -1 if axis is None else axis)
    expect_array(outcome, expected, function="softmax", input_dtype=z.dtype, notes=ctx.notes, oracle=ctx.oracle,
                 mistakes=MISTAKES, example=(z, -1 if axis is None else axis), what="keras.ops.softmax",
                 scale=_scale(z))


def _scale(z: np.ndarray) -> float:
    """The scores' magnitude: softmax is as sensitive to them as that (see grader.grading.compare.tolerance_for)."""
    return float(np.max(np.abs(z.astype(np.float64)))) if z.size else 0.0


@given(z=strategies.logits())
def test_matches_keras(ctx: Context, z: np.ndarray) -> None:
    """softmax(z) equals keras.ops.softmax(z) on 1-D, 2-D and 3-D float32 and float64 scores"""
    _expect_keras(ctx, z, None)


@given(**strategies.unpacked(strategies.logits_with_axis(), "z", "axis"))
def test_any_axis(ctx: Context, z: np.ndarray, axis: int) -> None:
    """softmax(z, axis) equals Keras along any axis, given as a positive or negative index"""
    _expect_keras(ctx, z, axis)


@given(z=strategies.logits(bound=20.0, dtypes=(np.dtype("float16"),)))  # exp(11.1) already overflows float16
def test_float16(ctx: Context, z: np.ndarray) -> None:
    """float16 scores up to +-20 (3 significant digits, largest value 65504: exp(12) already overflows) give Keras'
    softmax
    """
    _expect_keras(ctx, z, None)


@given(z=strategies.large_logits())
def test_large_logits(ctx: Context, z: np.ndarray) -> None:
    """softmax stays finite and right for scores in the thousands"""
    _expect_keras(ctx, z, None)


RANGE_HINT = "Probabilities lie in [0, 1]: exp of the shifted scores, divided by their sum along the axis."
SUMS_HINT = "Divide each slice by its own sum: np.sum(e, axis=-1, keepdims=True), the sum over the classes."
SHIFT_HINT = ("Softmax only depends on the differences within a slice: subtracting the slice's maximum before "
              "np.exp makes that exact, so adding 3 to every score must not change the result.")


def _or(hints: tuple[str, ...], fallback: str, only) -> tuple[str, ...]:
    """The known mistakes' hints, else what the property itself says (a broken property always explains itself)."""
    return hints or ((fallback,) if only is None or fallback in only else ())


def _property_failed(ctx: Context, outcome, z: np.ndarray, problem: str, fallback: str) -> CheckFailed:
    """A broken property, with the hint of the known mistake that gives this result (compared with Keras), if any."""
    def explain(only=None) -> tuple[str, ...]:
        try:
            expect_array(outcome, ctx.oracle.softmax(z, -1), function="softmax", input_dtype=z.dtype, notes=[],
                         oracle=ctx.oracle, mistakes=MISTAKES, example=(z, -1), scale=_scale(z))
        except CheckFailed as keras_failure:
            return _or(keras_failure.hints if only is None else keras_failure.hints_among(tuple(only)), fallback, only)
        return _or((), fallback, only)
    return CheckFailed(problem, explain=explain)


@given(z=strategies.logits(bound=30.0))
def test_properties(ctx: Context, z: np.ndarray) -> None:
    """values in [0, 1], slices sum to 1, shift invariance, shape kept, input unchanged"""
    outcome = ctx.call(z, return_args=True)
    tolerance = tolerance_for(z.dtype)
    p = expect_array_shape(outcome, z.shape, function="softmax")
    if not np.array_equal(outcome.args_after[0], z):
        raise CheckFailed("softmax() changed its input z.", "Work on a new array (z - max makes one); never assign into z.")
    if not np.all(np.isfinite(p)):
        raise CheckFailed(f"softmax() returned nan or inf:\n{show(p)}", EXP_RANGE.hint)
    if np.any(p < -tolerance.atol) or np.any(p > 1 + tolerance.atol):
        raise _property_failed(ctx, outcome, z, f"softmax() returned values outside [0, 1]: min {p.min()}, "
                               f"max {p.max()}.", RANGE_HINT)
    sums = np.sum(p.astype(np.float64), axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=10 * tolerance.rtol):
        raise _property_failed(ctx, outcome, z, f"The slices along the last axis do not sum to 1: sums are\n{sums}",
                               SUMS_HINT)
    shifted = (z + z.dtype.type(3)).astype(z.dtype)
    try:
        expect_array(ctx.call(shifted), p, function="softmax", input_dtype=z.dtype, notes=ctx.notes,
                     mistakes=(EXP_RANGE,), example=(shifted, -1), what="softmax(z), since softmax(z + 3) must equal it",
                     scale=_scale(shifted))
    except CheckFailed as failure:
        raise CheckFailed(failure.problem, explain=lambda only=None, failure=failure: _or(
            failure.hints if only is None else failure.hints_among(tuple(only)), SHIFT_HINT, only)) from None
    # A function with these properties is not yet softmax (1/n everywhere has them all): the values are Keras'.
    expect_array(outcome, ctx.oracle.softmax(z, -1), function="softmax", input_dtype=z.dtype, notes=ctx.notes,
                 oracle=ctx.oracle, mistakes=MISTAKES, example=(z, -1), what="keras.ops.softmax", scale=_scale(z))


def _mnist(ctx: Context, mnist: MnistBatches) -> None:
    mnist.each("softmax(X_batch @ W + b), the logits of the trained model", lambda batch: expect_array(
        ctx.call(batch.logits), batch.predict, function="softmax", input_dtype=batch.logits.dtype, notes=ctx.notes,
        mistakes=MISTAKES, example=(batch.logits, -1), what="model.predict", oracle=ctx.oracle))


def test_mnist_batches(ctx: Context, mnist: MnistBatches) -> None:
    """softmax of the visible MNIST batches' logits equals model.predict"""
    _mnist(ctx, mnist)


def test_mnist_hidden(ctx: Context, mnist_hidden: MnistBatches) -> None:
    """softmax of the hidden MNIST batches' logits equals model.predict"""
    _mnist(ctx, mnist_hidden)


CONTRACTS = (
    ("z: scores of any shape, float16, float32 or float64", ("matches_keras", "float16")),
    ("For a batch of network outputs it is (batch, classes)", ("mnist_batches", "mnist_hidden")),
    ("one example is (classes,)", ("matches_keras",)),
    ("every slice along it becomes a probability distribution", ("any_axis",)),
    ("Default: the last axis.", ("matches_keras",)),
    ("A new float array of the same shape as ``z``", ("properties",)),
    ("every value in [0, 1]", ("properties",)),
    ("every slice along ``axis`` summing to 1", ("properties", "any_axis")),
    ("``z`` itself is not modified", ("properties",)),
    ("exp(1000) overflows to inf", ("large_logits",)),
    ("Softmax does not change if you subtract the same number from every score of a slice", ("properties",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
