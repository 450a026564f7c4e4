import numpy as np

from softmax import softmax


def dense_forward(x, W, b, activation=None):
    if activation not in (None, "linear", "relu", "softmax"):
        raise ValueError("activation must be None, 'linear', 'relu' or 'softmax'")
    single = x.ndim == 1
    rows = np.atleast_2d(x)
    z = np.zeros((rows.shape[0], W.shape[1]), dtype=np.result_type(x, W, b))
    for i in range(rows.shape[0]):
        for j in range(W.shape[1]):
            z[i, j] = np.sum(rows[i] * W[:, j]) + b[j]
    if activation == "relu":
        z = np.maximum(z, 0)
    elif activation == "softmax":
        z = softmax(z, axis=1)
    return z[0] if single else z
