"""One step of plain stochastic gradient descent."""

import numpy as np


def sgd_step(params: list, grads: list, learning_rate: float) -> list:
    r"""Return the parameters after one SGD step, like ``keras.optimizers.SGD(learning_rate)``.

    The formula, for each parameter array p and its gradient g:

        p_new = p - learning_rate * g

    Args:
        params: a list of arrays, e.g. ``[W, b]`` as ``layer.get_weights()`` gives them.
        grads: the gradients, one array per parameter, with the same shapes.
        learning_rate: the step size, a positive float.

    Returns:
        A new list of new arrays, in the same order; ``params`` and ``grads`` are not modified.

    Pitfalls:
        - Step against the gradient (minus): the gradient points uphill.
        - Scale by the learning rate.
        - ``p -= ...`` changes the caller's arrays: build new ones.
    """
    ### BEGIN SOLUTION
    return [p - learning_rate * g for p, g in zip(params, grads)]
    ### END SOLUTION
