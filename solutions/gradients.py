"""Backpropagation for one Dense(softmax) layer: how the loss changes with W and b."""

import numpy as np


def softmax_crossentropy_grad(x: np.ndarray, W: np.ndarray, b: np.ndarray, y_true: np.ndarray) -> list:
    r"""Return ``[dW, db]``: the gradients of the mean cross-entropy of ``softmax(x @ W + b)`` against ``y_true``.

    The formula, for a batch of n rows (p = softmax(x @ W + b)):

        delta = (p - y_true) / n          # (n, units): the loss's gradient at the logits
        dW = x.T @ delta                  # (inputs, units), the shape of W
        db = sum of delta over the batch  # (units,), the shape of b

    Args:
        x: inputs, (n, inputs).
        W: kernel, (inputs, units).
        b: bias, (units,).
        y_true: one-hot targets, (n, units).

    Returns:
        A list ``[dW, db]`` with the shapes of ``W`` and ``b``, what
        ``tf.GradientTape`` gives for Keras' mean categorical cross-entropy.

    Pitfalls:
        - The loss is a mean over the batch, so its gradient carries 1/n.
        - ``x.T @ delta`` has the shape of W; ``delta.T @ x`` is its transpose.
        - It is ``p - y_true``, not ``y_true - p``: the gradient points uphill.
    """
    ### BEGIN SOLUTION
    z = x @ W + b
    exps = np.exp(z - np.max(z, axis=-1, keepdims=True))
    p = exps / np.sum(exps, axis=-1, keepdims=True)
    delta = (p - y_true) / len(x)
    return [x.T @ delta, np.sum(delta, axis=0)]
    ### END SOLUTION
