# A common guard against log(0): 1e-5 added inside the log instead of Keras' clip to [1e-7, 1 - 1e-7].
# Near p = 0 that differs from Keras; it is neither a sum over the batch nor an unguarded log.
import numpy as np


def categorical_crossentropy(y_true, y_pred):
    p = y_pred / np.sum(y_pred, axis=-1, keepdims=True)
    return float(np.mean(-np.sum(y_true * np.log(p + 1e-5), axis=-1)))
