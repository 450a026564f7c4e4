"""How relu(z) is graded."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.grading.compare import CheckFailed, Mistake, expect_array

MISTAKES = (
    Mistake("ReLU keeps positive values and zeroes the negative ones, elementwise: np.maximum(z, 0).",
            lambda keras, expected, z: np.abs(z)),
    Mistake("That keeps the negative values and zeroes the positive ones: np.maximum(z, 0), not np.minimum.",
            lambda keras, expected, z: z - expected),
)


@given(z=strategies.logits(dtypes=strategies.FLOAT_DTYPES))  # relu is exact in every dtype: float16 is no edge case
def test_matches_keras(student, keras, notes: list, z: np.ndarray) -> None:
    """relu equals keras.activations.relu on any shape and float dtype; z is not modified"""
    outcome = student(z, return_args=True)
    expect_array(outcome, keras.relu(z), function="relu", input_dtype=z.dtype, notes=notes,
                 mistakes=MISTAKES, example=(z,), what="keras.activations.relu", oracle=keras)
    if not np.array_equal(outcome.args_after[0], z):
        raise CheckFailed("relu() changed its input z.", "np.maximum(z, 0) makes a new array; z[z < 0] = 0 does not.")


CONTRACTS = (
    ("z: an array of any shape and float dtype", ("matches_keras",)),
    ("A new array of the same shape and dtype; ``z`` is not modified", ("matches_keras",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
