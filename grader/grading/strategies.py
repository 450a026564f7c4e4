"""The grading profile and the Hypothesis strategies every check draws its inputs from.

Fairness lives here: one named profile, derandomized, so every student meets the same
inputs and the same code always gets the same score. The strategies are built to reach
the cases where classic mistakes hide: square matrices (a missing keepdims or a
transposed W still runs), 1-D inputs, a batch of one, class counts other than 10,
large-magnitude logits, every float dtype (float16 in checks of its own), non-default axes, and ties.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.internal.conjecture import providers

# Hypothesis mixes the literal constants of every *local* module imported so far into its
# draws (providers._get_local_constants). For grading that would make the inputs depend on
# the grader's own source text and on which of its modules happen to be loaded (grading a
# notebook loads more), so a recording could stop matching what Hypothesis draws. The
# grading inputs come from the strategies and the seed alone: no local constants.
# (Hypothesis is pinned in pyproject.toml; tests/test_replay.py checks this holds.)
_NO_LOCAL_CONSTANTS = providers.Constants()
providers._get_local_constants = lambda: _NO_LOCAL_CONSTANTS

FLOAT_DTYPES = (np.dtype("float16"), np.dtype("float32"), np.dtype("float64"))
MAIN_DTYPES = FLOAT_DTYPES[1:]
"""What the main checks draw. float16 (3 significant digits, largest value 65504) is an edge case graded by its own
check where a docstring promises it: drawn with the rest, Hypothesis would shrink every failure toward it (it comes
first), so a mistake that shows only in float16 would cost every check instead of one."""
PROFILE = "grading"


def grading_settings(max_examples: int) -> settings:
    """The grading profile: deterministic, one minimal failing example, quiet."""
    settings.register_profile(
        PROFILE,
        derandomize=True,  # same inputs for everyone; implies no example database
        deadline=None,  # the 200 ms default flakes on shared machines
        max_examples=max_examples,
        report_multiple_bugs=False,  # one failure, shrunk to its smallest input
        phases=(Phase.explicit, Phase.generate, Phase.shrink),  # no "explain" phase: no extra runs after the shrink
        suppress_health_check=list(HealthCheck),  # a slow student is graded, not rejected
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    return settings.get_profile(PROFILE)


def unpacked(strategy: st.SearchStrategy[tuple], *names: str) -> dict[str, st.SearchStrategy]:
    """@given's keyword strategies for arguments drawn together, as one tuple of ``strategy``, so that a check takes
    dependent arguments by name: ``@given(**unpacked(logits_with_axis(), "z", "axis"))`` gives it ``z`` and an
    ``axis`` that fits z. (One ``st.shared`` draw per example; each name's strategy is its item of it.)"""
    together = st.shared(strategy)
    items = {name: together.map(lambda example, i=i: example[i]) for i, name in enumerate(names)}
    for index, item in enumerate(items.values()):
        item.unpacked_from = (strategy, index)
    return items


def examples(drawn: tuple[st.SearchStrategy, ...]) -> st.SearchStrategy[tuple]:
    """The examples of a check whose @given draws these, as tuples in @given's order. The arguments of one
    ``unpacked`` strategy are drawn as that strategy, one argument as a 1-tuple of it: Hypothesis' draws depend on how
    a strategy is composed, and these are the compositions the recorded examples were drawn with."""
    whole = _unpacked_whole(drawn)
    if whole is not None:
        return whole
    if len(drawn) == 1 and not hasattr(drawn[0], "unpacked_from"):
        return drawn[0].map(lambda value: (value,))
    return st.tuples(*drawn)


def _unpacked_whole(drawn: tuple[st.SearchStrategy, ...]) -> st.SearchStrategy[tuple] | None:
    """The strategy that ``unpacked`` split into exactly these items, in its order; None for anything else."""
    sources = [getattr(item, "unpacked_from", None) for item in drawn]  # set by unpacked
    if any(source is None for source in sources):
        return None
    whole = sources[0][0]
    if all(strategy is whole and index == position for position, (strategy, index) in enumerate(sources)):
        return whole
    return None


def _floats(dtype: np.dtype, bound: float) -> st.SearchStrategy[float]:
    return st.floats(-bound, bound, width=8 * dtype.itemsize, allow_nan=False, allow_infinity=False)


def _array(draw, dtype: np.dtype, shape: tuple, bound: float) -> np.ndarray:
    return draw(hnp.arrays(dtype, shape, elements=_floats(dtype, bound)))


def matrix_shapes(max_side: int = 8) -> st.SearchStrategy[tuple]:
    """2-D shapes, square ones often (where a missing keepdims or a transpose hides)."""
    square = st.integers(1, max_side).map(lambda n: (n, n))
    return st.one_of(square, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=max_side))


def logit_shapes() -> st.SearchStrategy[tuple]:
    """1-D, 2-D (square often) and 3-D shapes."""
    return st.one_of(
        hnp.array_shapes(min_dims=1, max_dims=1, min_side=1, max_side=12),
        matrix_shapes(),
        hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=4),
    )


@st.composite
def logits(draw, bound: float = 10.0, min_dims: int = 1, dtypes: tuple = MAIN_DTYPES) -> np.ndarray:
    """Scores of any shape and one of ``dtypes``, values in [-bound, bound]."""
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(logit_shapes().filter(lambda s: len(s) >= min_dims))
    return _array(draw, dtype, shape, bound)


@st.composite
def logits_with_axis(draw) -> tuple[np.ndarray, int]:
    """2-D or 3-D scores with an axis other than the last, given as a positive or negative index."""
    z = draw(logits(min_dims=2))
    axis = draw(st.integers(0, z.ndim - 2))
    return z, draw(st.sampled_from((axis, axis - z.ndim)))


@st.composite
def large_logits(draw) -> np.ndarray:
    """Scores shifted by hundreds to thousands: exp() of them overflows unless the max is subtracted."""
    z = draw(logits())
    offset = draw(st.floats(800, 1e4)) * draw(st.sampled_from((1, -1)))
    return (z + offset).astype(z.dtype)


@st.composite
def dense_inputs(draw, single: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, W, b): x (batch, inputs) with batch >= 2, W (inputs, units), b (units,); square W often. With
    ``single``, x is one example, (inputs,) or (1, inputs): edge cases graded on their own, so a layer that
    mishandles one example loses that check alone, not every check Hypothesis would shrink to it."""
    dtype = draw(st.sampled_from(MAIN_DTYPES))
    inputs = draw(st.integers(1, 8))
    units = draw(st.one_of(st.just(inputs), st.integers(1, 8)))
    if single:
        batch = draw(st.sampled_from((None, 1)))
    else:
        batch = draw(st.one_of(st.just(max(inputs, 2)), st.integers(2, 8)))
    x_shape = (inputs,) if batch is None else (batch, inputs)
    return (
        _array(draw, dtype, x_shape, 2.0),
        _array(draw, dtype, (inputs, units), 2.0),
        _array(draw, dtype, (units,), 2.0),
    )


@st.composite
def predictions(draw, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(y_pred, y_true): scores (n, k) and one-hot truth. Without ties, every row has one clear maximum."""
    n, k = draw(st.integers(1, 16)), draw(st.integers(2, 12))
    dtype = draw(st.sampled_from(MAIN_DTYPES))
    if ties:
        y_pred = draw(hnp.arrays(dtype, (n, k), elements=st.integers(0, 2).map(float)))
    else:
        rows = [draw(st.lists(_floats(dtype, 10.0), min_size=k, max_size=k, unique=True)) for _ in range(n)]
        y_pred = np.array(rows, dtype=dtype)
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    return y_pred, np.eye(k, dtype="float32")[labels]


@st.composite
def class_labels(draw) -> tuple[np.ndarray, int]:
    """(labels, num_classes): integer labels of shape (n,), n from 1, some classes possibly unused."""
    num_classes = draw(st.integers(1, 12))
    labels = draw(hnp.arrays(np.int64, draw(st.integers(1, 16)), elements=st.integers(0, num_classes - 1)))
    return labels, num_classes


@st.composite
def shaped_class_labels(draw) -> tuple[np.ndarray, int]:
    """(labels, num_classes): labels of 2-D or 3-D shape (the last axis longer than 1: Keras drops a last axis of 1)."""
    num_classes = draw(st.integers(2, 12))
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5).filter(lambda s: s[-1] > 1))
    return draw(hnp.arrays(np.int64, shape, elements=st.integers(0, num_classes - 1))), num_classes


PORTABLE_BITS = 30
"""Significant bits kept of each exp that makes a probability row: far more than float32's 24, and far fewer than
float64's 53, where NumPy's exp differs from one CPU to another."""


@st.composite
def probabilities(draw) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, y_pred): one-hot rows and probability rows (softmax of scores), some exactly 0 or 1."""
    n, k = draw(st.integers(1, 12)), draw(st.integers(2, 10))
    dtype = draw(st.sampled_from(MAIN_DTYPES))
    scores = _array(draw, np.dtype(dtype), (n, k), draw(st.sampled_from((3.0, 30.0, 200.0)))).astype(np.float64)
    # The same bits on every machine: NumPy's exp takes another SIMD path by CPU (AVX2, AVX-512) and version, and the
    # paths differ in the last bit, so an input drawn on one machine would not be the one recorded on another (its
    # recorded Keras answer would be missed). Each exp is rounded to PORTABLE_BITS significant bits (frexp, rint and
    # ldexp are exact) and each row divided by its exactly rounded sum (math.fsum: NumPy's order of additions also
    # depends on the CPU). Written here, not as a function: the grader a student installs holds no softmax to import.
    mantissas, exponents = np.frexp(np.exp(scores - scores.max(axis=-1, keepdims=True)))
    exps = np.ldexp(np.rint(np.ldexp(mantissas, PORTABLE_BITS)), exponents - PORTABLE_BITS)
    y_pred = (exps / np.array([[math.fsum(row)] for row in exps])).astype(dtype)
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    return np.eye(k, dtype=dtype)[labels], y_pred


@st.composite
def layer_batches(draw) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, W, b, y_true) for one Dense(softmax) layer; values small enough that no probability is clipped."""
    dtype = np.dtype(draw(st.sampled_from(MAIN_DTYPES)))
    n, inputs = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    units = draw(st.one_of(st.just(max(inputs, 2)), st.integers(2, 6)))  # square W often; softmax needs 2 units
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, units - 1)))
    return (_array(draw, dtype, (n, inputs), 1.0), _array(draw, dtype, (inputs, units), 1.0),
            _array(draw, dtype, (units,), 1.0), np.eye(units, dtype=dtype)[labels])


@st.composite
def sgd_cases(draw) -> tuple[list, list, float]:
    """(params, grads, learning_rate): one to four arrays of any small shape and their gradients."""
    dtype = np.dtype(draw(st.sampled_from(MAIN_DTYPES)))
    shapes = draw(st.lists(hnp.array_shapes(min_dims=1, max_dims=2, max_side=5), min_size=1, max_size=4))
    params = [_array(draw, dtype, shape, 3.0) for shape in shapes]
    grads = [_array(draw, dtype, shape, 3.0) for shape in shapes]
    return params, grads, draw(st.sampled_from((0.001, 0.01, 0.1, 0.5)))


@st.composite
def large_mlp_cases(draw) -> tuple[np.ndarray, list]:
    """The same, with inputs of raw pixel size (up to 255): the output layer's logits reach the thousands, where a
    softmax that does not subtract the maximum overflows."""
    x, params = draw(mlp_cases())
    scale = draw(st.sampled_from((100.0, 255.0)))
    return (x * scale).astype(x.dtype), params


@st.composite
def mlp_cases(draw) -> tuple[np.ndarray, list]:
    """(x, [W1, b1, W2, b2]) for Input -> Dense(hidden, relu) -> Dense(classes, softmax); square layers often."""
    dtype = np.dtype(draw(st.sampled_from(MAIN_DTYPES)))
    n, inputs = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    hidden = draw(st.one_of(st.just(inputs), st.integers(1, 6)))
    classes = draw(st.one_of(st.just(max(hidden, 2)), st.integers(2, 6)))
    params = [_array(draw, dtype, (inputs, hidden), 2.0), _array(draw, dtype, (hidden,), 2.0),
              _array(draw, dtype, (hidden, classes), 2.0), _array(draw, dtype, (classes,), 2.0)]
    return _array(draw, dtype, (n, inputs), 2.0), params
