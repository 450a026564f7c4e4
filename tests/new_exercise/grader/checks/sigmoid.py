"""How sigmoid(z) is graded: the kit's worked example of adding an exercise (README, "Add an exercise")."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from grader.checks.base import Context, check_property
from grader.grading.compare import Mistake, expect_array


def keras_sigmoid(z: np.ndarray) -> np.ndarray:
    """The oracle: keras.ops.sigmoid. It runs in the grader's Keras process, and `grader build` records its answers."""
    import keras

    return keras.ops.convert_to_numpy(keras.ops.sigmoid(z))


def overflowed(got, expected, z) -> bool:
    """True if ``got`` is nan or inf where exp(|z|) overflows z's dtype, and finite everywhere else."""
    got = np.asarray(got, dtype=np.float64)
    if got.shape != z.shape:
        return False
    outside = np.abs(z.astype(np.float64)) > np.log(np.finfo(z.dtype).max)
    broken = ~np.isfinite(got)
    return bool(outside.any() and broken[outside].any() and not broken[~outside].any())


MISTAKES = (
    Mistake("exp() overflowed: take exp only of scores that are not positive, 1 / (1 + exp(-z)) where z >= 0 and "
            "exp(z) / (1 + exp(z)) where z < 0 (np.where picks each).",
            lambda keras, p, z: None, symptom=overflowed),
    Mistake("That is sigmoid(-z): the exponent is -z, as in 1 / (1 + exp(-z)).", lambda keras, p, z: 1 - p),
)


def _expect_keras(ctx: Context, z: np.ndarray) -> None:
    expect_array(ctx.call(z), ctx.oracle.keras(keras_sigmoid, z), function="sigmoid", input_dtype=z.dtype,
                 notes=ctx.notes, oracle=ctx.oracle, mistakes=MISTAKES, example=(z,), what="keras.ops.sigmoid")


def test_matches_keras(ctx: Context) -> None:
    """sigmoid(z) equals keras.ops.sigmoid(z) on float32 and float64 scores of any shape"""
    check_property(ctx, strategies.logits().map(lambda z: (z,)), ("z",), lambda z: _expect_keras(ctx, z))


def test_large_inputs(ctx: Context) -> None:
    """scores in the thousands, positive and negative, give Keras' 0s and 1s, never nan"""
    check_property(ctx, strategies.large_logits().map(lambda z: (z,)), ("z",), lambda z: _expect_keras(ctx, z))


CONTRACTS = (
    ("z: scores of any shape, float32 or float64", ("matches_keras",)),
    ("every value in [0, 1]", ("matches_keras", "large_inputs")),
    ("``np.exp(z) / (1 + np.exp(z))`` overflows for large ``z``", ("large_inputs",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
