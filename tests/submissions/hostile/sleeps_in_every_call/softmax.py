# A right softmax that sleeps in every call: each call stays under the call timeout, but the
# exercise's wall-clock time runs out, so a class run is never held up for long.
import time

import numpy as np


def softmax(z, axis=-1):
    time.sleep(4)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
