import numpy as np


def one_hot(labels, num_classes):
    rows = np.zeros((len(labels), num_classes), dtype=np.float32)
    for row, label in enumerate(labels):
        rows[row, label] = 1.0
    return rows
