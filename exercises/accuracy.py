"""Accuracy: the fraction of examples whose top-scoring class is the true class."""

import numpy as np


def accuracy(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    r"""Return the categorical accuracy of ``y_pred`` against one-hot ``y_true``.

    The formula, for n examples:

        accuracy = (1/n) * sum_i [ argmax(y_pred[i]) == argmax(y_true[i]) ]

    Args:
        y_pred: (n, k) scores or probabilities, one row per example.
        y_true: (n, k) one-hot rows: 1 at the true class, 0 elsewhere.

    Returns:
        A Python float in [0, 1], like Keras' ``categorical_accuracy``
        averaged over the batch. When a row has a tie for the highest score,
        the first of the tied classes counts, as ``np.argmax`` does.

    Pitfalls:
        - The class is the index of the largest value in a row: argmax along
          the last axis (axis=-1), not along the batch.
        - A fraction, not a percentage, and an average, not a count.
        - Return ``float(...)``, not an array.
    """
    # YOUR CODE HERE
    raise NotImplementedError("accuracy() is not written yet: replace this line with your code (the docstring above says what to compute).")
