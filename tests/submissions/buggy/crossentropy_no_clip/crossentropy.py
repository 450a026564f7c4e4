import numpy as np


def categorical_crossentropy(y_true, y_pred):
    return float(np.mean(-np.sum(y_true * np.log(y_pred), axis=-1)))
