"""The logistic sigmoid, elementwise, without overflow."""

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Return the logistic sigmoid of every score in ``z``, as ``keras.ops.sigmoid`` computes it.

    The formula, elementwise:

        sigmoid(z) = 1 / (1 + exp(-z))

    Args:
        z: scores of any shape, float32 or float64.

    Returns:
        A new array of the same shape and dtype as ``z``, every value in [0, 1].

    Pitfall: ``np.exp(z) / (1 + np.exp(z))`` overflows for large ``z`` (exp(1000) is inf, and
    inf / inf is nan). Only ever take exp of a score that is not positive: 1 / (1 + exp(-z)) where
    z >= 0, exp(z) / (1 + exp(z)) where z < 0.
    """
    ### BEGIN SOLUTION
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype)
    ### END SOLUTION
