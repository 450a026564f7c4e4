"""A Dense layer's forward pass, computed with matrix operations."""

import numpy as np

from softmax import softmax


def dense_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str | None = None
) -> np.ndarray:
    r"""Return the output of a Keras ``Dense`` layer with kernel ``W`` and bias ``b``.

    The formula, for a batch ``x`` of rows:

        z = x @ W + b
        output = activation(z)

    Args:
        x: inputs, (batch, inputs); one example alone is (inputs,).
        W: the kernel, (inputs, units), as ``layer.get_weights()[0]`` gives it.
        b: the bias, (units,), added to every row.
        activation: ``None`` or ``"linear"`` (no activation), ``"relu"``
            (max(z, 0) elementwise) or ``"softmax"`` (along the last axis;
            use your own ``softmax`` from softmax.py).

    Returns:
        (batch, units), or (units,) for a single example. The inputs are not
        modified.

    Pitfalls:
        - Keras stores W as (inputs, units), so it is ``x @ W``, not ``W @ x``
          or ``x @ W.T``: with as many inputs as units the wrong one still runs.
        - Do not forget ``+ b``: NumPy broadcasting adds it to every row.
        - Any other ``activation`` is a mistake by the caller: raise ValueError.
    """
    # YOUR CODE HERE
    raise NotImplementedError("dense_forward() is not written yet: replace this line with your code (the docstring above says what to compute).")
