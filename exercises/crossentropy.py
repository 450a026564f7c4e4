"""Categorical cross-entropy: how wrong the predicted probabilities are, on average."""

import numpy as np


def categorical_crossentropy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    r"""Return the mean categorical cross-entropy of ``y_pred`` against one-hot ``y_true``, like Keras' loss.

    The formula, for n examples with probabilities p (each row scaled to sum to 1,
    then clipped to [1e-7, 1 - 1e-7] as Keras does):

        loss = -(1/n) * sum_i sum_k y_true[i, k] * log(p[i, k])

    Args:
        y_true: (n, k) one-hot rows.
        y_pred: (n, k) predicted probabilities (a softmax output), one row per example.

    Returns:
        A Python float: the loss averaged over the batch (what model.evaluate reports).
        An untrained model that says 0.1 for every digit scores ln(10) = 2.3026.

    Pitfalls:
        - log(0) is -inf: clip the probabilities first, exactly as Keras does.
        - The natural logarithm (np.log), not log10.
        - Average over the batch; do not just sum.
        - The minus sign: a loss is positive.
    """
    # YOUR CODE HERE
    raise NotImplementedError("categorical_crossentropy() is not written yet: replace this line with your code (the docstring above says what to compute).")
