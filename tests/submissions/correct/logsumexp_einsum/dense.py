import numpy as np

import softmax as sm


def dense_forward(x, W, b, activation=None):
    z = np.einsum("...i,ij->...j", x, W) + b
    if activation in (None, "linear"):
        return z
    if activation == "relu":
        return z * (z > 0)
    if activation == "softmax":
        return sm.softmax(z)
    raise ValueError(activation)
