import sys

import numpy as np


def softmax(z, axis=-1):
    sys.stdin.read()
    input()
    return np.exp(z)
