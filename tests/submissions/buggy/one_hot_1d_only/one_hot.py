# Right for a batch of labels (n,), but the docstring promises any shape, like keras.utils.to_categorical.
import numpy as np


def one_hot(labels, num_classes):
    out = np.zeros((len(labels), num_classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out
