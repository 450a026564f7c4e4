"""How softmax_crossentropy_grad(x, W, b, y_true) is graded."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context, MnistBatches
from grader.grading.compare import Mistake, expect_array_list


def _db_along_rows(keras, x, W, b, y_true) -> np.ndarray:
    """delta = (p - y) / n summed along the units instead of the batch, with p from Keras."""
    return (keras.dense(x, W, b, "softmax") - y_true).sum(axis=1) / len(x)


MISTAKES = (
    Mistake("The loss is a mean over the batch, so its gradient carries 1/n: divide by the number of rows.",
            lambda keras, grads, x, W, b, t: [len(x) * grads[0], len(x) * grads[1]]),
    Mistake("The sign is flipped: the gradient is p - y_true, not y_true - p.",
            lambda keras, grads, x, W, b, t: [-grads[0], -grads[1]]),
    Mistake("dW is transposed: x.T @ delta has the shape of W, (inputs, units).",
            lambda keras, grads, x, W, b, t: [grads[0].T, grads[1]]),
    Mistake("db sums delta over the batch (axis 0), one value per unit.",
            lambda keras, grads, x, W, b, t: [grads[0], _db_along_rows(keras, x, W, b, t)]),
    Mistake("db was summed with keepdims=True: it has the shape of b, (units,), not (1, units).",
            lambda keras, grads, x, W, b, t: [grads[0], grads[1][np.newaxis, :]]),
)


def _expect(ctx: Context, x, W, b, y_true) -> None:
    expect_array_list(ctx.call(x, W, b, y_true), ctx.oracle.crossentropy_gradients(x, W, b, y_true),
                      function="softmax_crossentropy_grad", names=("dW", "db"), input_dtype=x.dtype, notes=ctx.notes,
                      mistakes=MISTAKES, example=(x, W, b, y_true), what="tf.GradientTape", oracle=ctx.oracle)


@given(**strategies.unpacked(strategies.layer_batches(), "x", "W", "b", "y_true"))
def test_matches_gradient_tape(ctx: Context, x, W, b, y_true) -> None:
    """[dW, db] equal tf.GradientTape's for Keras' mean cross-entropy"""
    _expect(ctx, x, W, b, y_true)


def test_mnist_batches(ctx: Context, references, mnist: MnistBatches) -> None:
    """the gradients at the trained weights on the visible MNIST batches equal tf.GradientTape's"""
    mnist.each("softmax_crossentropy_grad(X_batch, W, b, y_batch) at the trained weights",
               lambda batch: _expect(ctx, batch.x, references.W, references.b, batch.y))


CONTRACTS = (
    ("A list ``[dW, db]`` with the shapes of ``W`` and ``b``", ("matches_gradient_tape",)),
    ("what ``tf.GradientTape`` gives for Keras' mean categorical cross-entropy",
     ("matches_gradient_tape", "mnist_batches")),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
