def dense_forward(x, W, b, activation=None):
    return x @ W + b
