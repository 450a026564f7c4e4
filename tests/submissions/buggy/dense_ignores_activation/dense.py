def dense_forward(x, W, b, activation=None):
    if activation not in (None, "linear", "relu", "softmax"):
        raise ValueError(f"unknown activation {activation!r}")
    return x @ W + b
