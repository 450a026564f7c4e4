"""Softmax: turn a row of scores (logits) into probabilities."""

import numpy as np


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Return the softmax of ``z`` along ``axis``.

    The formula, for one row z_1 .. z_k:

        softmax(z)_i = exp(z_i) / sum_j exp(z_j)

    Args:
        z: scores of any shape, float16, float32 or float64. For a batch of
            network outputs it is (batch, classes); one example is (classes,).
        axis: the axis that holds the classes; every slice along it becomes a
            probability distribution. Default: the last axis.

    Returns:
        A new float array of the same shape as ``z``: every value in [0, 1],
        every slice along ``axis`` summing to 1. ``z`` itself is not modified.

    Pitfalls:
        - exp(1000) overflows to inf, and inf / inf is nan. Softmax does not
          change if you subtract the same number from every score of a slice,
          so subtract the slice's maximum first: the largest exponent is then 0.
        - Sum along ``axis`` only, and keep that axis (``keepdims=True``) so the
          division lines each slice up with its own sum. Without it a square
          batch still runs, and divides by the wrong sums.
    """
    # YOUR CODE HERE
    raise NotImplementedError("softmax() is not written yet: replace this line with your code (the docstring above says what to compute).")
