# Raises with a 5 MB message: the feedback keeps a few thousand characters of it.
BIG = "x" * 5_000_000


def softmax(z, axis=-1):
    raise ValueError(BIG)
