import numpy as np


def softmax(z, axis=-1):
    print("debugging softmax, shape", np.shape(z))
    raise ValueError("not sure about this axis business")
