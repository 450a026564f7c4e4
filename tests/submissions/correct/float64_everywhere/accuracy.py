import numpy as np


def accuracy(y_pred, y_true):
    correct = np.count_nonzero(y_pred.argmax(axis=1) == y_true.argmax(axis=1))
    return correct / len(y_true)
