import numpy as np


def accuracy(y_pred, y_true):
    k = y_pred.shape[-1]
    predicted = k - 1 - np.argmax(y_pred[:, ::-1], axis=-1)
    return float(np.mean(predicted == np.argmax(y_true, axis=-1)))
