import numpy as np


def one_hot(labels, num_classes):
    flat = np.asarray(labels).reshape(-1)
    rows = np.zeros((len(flat), num_classes), dtype=np.float32)
    for row, label in enumerate(flat):
        rows[row, label] = 1.0
    return rows.reshape(np.shape(labels) + (num_classes,))
