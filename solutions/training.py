"""One epoch of training by hand: minibatches, gradients, SGD steps."""

import numpy as np

from gradients import softmax_crossentropy_grad
from sgd import sgd_step


def train_epoch(params: list, x: np.ndarray, y: np.ndarray, learning_rate: float, batch_size: int) -> list:
    r"""Return ``[W, b]`` after one epoch of plain SGD, like ``model.fit(x, y, batch_size, epochs=1, shuffle=False)``.

    The loop: take the rows of ``x`` and ``y`` in order, ``batch_size`` at a time (the last batch
    may be smaller); for each batch compute the gradients with your
    ``softmax_crossentropy_grad`` and take one ``sgd_step``.

    Args:
        params: ``[W, b]`` of a Dense(softmax) layer: W (inputs, units), b (units,).
        x: training inputs, (n, inputs).
        y: one-hot targets, (n, units).
        learning_rate: the SGD step size.
        batch_size: rows per step.

    Returns:
        The new ``[W, b]``.

    Pitfalls:
        - Keep the last, smaller batch: 10 rows in batches of 4 is 3 steps (4, 4, 2).
        - One step per batch, not one per epoch.
    """
    ### BEGIN SOLUTION
    for start in range(0, len(x), batch_size):
        batch = slice(start, start + batch_size)
        grads = softmax_crossentropy_grad(x[batch], params[0], params[1], y[batch])
        params = sgd_step(params, grads, learning_rate)
    return params
    ### END SOLUTION
