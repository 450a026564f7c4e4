# mlp_forward with a softmax that does not subtract the maximum: nan once the logits reach the hundreds.
import numpy as np


def relu(z):
    return np.maximum(z, 0)


def mlp_forward(x, params):
    W1, b1, W2, b2 = params
    z = relu(x @ W1 + b1) @ W2 + b2
    exps = np.exp(z)  # no shift: overflows for large logits
    return exps / np.sum(exps, axis=-1, keepdims=True)
