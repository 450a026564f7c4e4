"""Glorot (Xavier) uniform initialisation: Keras' default kernel_initializer."""

import numpy as np


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    r"""Return a (fan_in, fan_out) kernel drawn like ``kernel_initializer='glorot_uniform'``.

    The formula: every weight is drawn independently and uniformly from [-limit, limit], with

        limit = sqrt(6 / (fan_in + fan_out))

    Args:
        fan_in: the layer's number of inputs (rows of W).
        fan_out: the layer's number of units (columns of W).
        rng: the random generator to draw from, e.g. ``np.random.default_rng(0)``.

    Returns:
        A float array of shape (fan_in, fan_out).

    Pitfalls:
        - Draw from ``rng``, not from ``np.random``: the same generator state must give the same weights.
        - Uniform on [-limit, limit], not a normal distribution, and not limit = sqrt(6 / fan_in).
    """
    ### BEGIN SOLUTION
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    ### END SOLUTION
