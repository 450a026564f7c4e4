import numpy as np


def relu(z):
    return np.maximum(z, 0)


def mlp_forward(x, params):
    W1, b1, W2, b2 = params
    z = (x @ W1 + b1) @ W2 + b2
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
