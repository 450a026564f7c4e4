"""How sigmoid(z) is graded: the kit's worked example of adding an exercise (README, "Add an exercise")."""

from __future__ import annotations

import numpy as np

from hypothesis import given

from grader.grading import strategies
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


def _expect_keras(student, keras, notes, z: np.ndarray) -> None:
    expect_array(student(z), keras(keras_sigmoid, z), function="sigmoid", input_dtype=z.dtype, notes=notes,
                 oracle=keras, mistakes=MISTAKES, example=(z,), what="keras.ops.sigmoid")


@given(z=strategies.logits())
def test_matches_keras(student, keras, notes, z: np.ndarray) -> None:
    """sigmoid(z) equals keras.ops.sigmoid(z) on float32 and float64 scores of any shape"""
    _expect_keras(student, keras, notes, z)


@given(z=strategies.large_logits())
def test_large_inputs(student, keras, notes, z: np.ndarray) -> None:
    """scores in the thousands, positive and negative, give Keras' 0s and 1s, never nan"""
    _expect_keras(student, keras, notes, z)


CONTRACTS = (
    ("z: scores of any shape, float32 or float64", ("matches_keras",)),
    ("every value in [0, 1]", ("matches_keras", "large_inputs")),
    ("``np.exp(z) / (1 + np.exp(z))`` overflows for large ``z``", ("large_inputs",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
