import numpy as np

from softmax import softmax


def dense_forward(x, W, b, activation=None):
    z = x @ W + b
    if activation == "relu":
        z = np.maximum(z, 0)
    elif activation == "softmax":
        z = softmax(z)
