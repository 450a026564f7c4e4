"""Softmax through log-sum-exp: exp((z - max) - log(sum(exp(z - max))))."""
import numpy as np


def softmax(z, axis=-1):
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return np.exp(shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)))
