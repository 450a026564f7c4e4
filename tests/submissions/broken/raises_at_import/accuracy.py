import numpy as np

raise RuntimeError("this module fails when imported")


def accuracy(y_pred, y_true):
    return 0.0
