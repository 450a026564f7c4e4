# Tries the worker process's own channels to carry the labels it is given out to the student: the
# name of the type it returns (always), and the worker's record of forbidden imports, in reach
# through __main__, once it takes the checks to be hidden ones (from the third MNIST-sized call:
# two visible batches come first). Nothing of a hidden check may come back.
import sys

import numpy as np

MAIN = sys.modules["__main__"]
MNIST_CALLS = [0]


def accuracy(y_pred, y_true):
    labels = "".join(str(d) for d in np.argmax(y_true, axis=-1)[:40])
    if np.shape(y_true) == (64, 10):
        MNIST_CALLS[0] += 1
        record = getattr(MAIN, "ATTEMPTED", None)
        if MNIST_CALLS[0] >= 3 and isinstance(record, dict):
            record.setdefault("accuracy", set()).add("tensorflow" + labels)
    value = float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))
    return type("L" + labels, (float,), {})(value)
