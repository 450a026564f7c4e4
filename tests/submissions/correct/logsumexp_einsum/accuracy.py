import numpy as np


def accuracy(y_pred, y_true):
    return float((np.argmax(y_pred, -1) == np.argmax(y_true, -1)).sum() / y_true.shape[0])
