"""How categorical_crossentropy(y_true, y_pred) is graded."""

from __future__ import annotations

import math

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context, MnistBatches
from grader.grading.compare import Mistake, Tolerance, expect_fraction

LOSS_TOLERANCE = Tolerance(
    1e-5, 1e-6, "Keras computes the loss in float32 (about 7 digits). The loss is a mean of -log(p): an error of "
    "eps = 1.2e-7 relative in p moves each term by 1.2e-7 absolute, whatever p (the clip keeps p >= 1e-7, "
    "where log is steepest), so a correct float32 or float64 loss is within a few eps of Keras'; the wrong "
    "answers below differ by factors (n, ln 10, -1) or by the clip (>= 1e-3 where a p is 0)"
)


def _unclipped(got, expected, y_true, y_pred) -> bool:
    """True if the loss came out inf or nan where some probability is exactly 0: log(0) without clipping."""
    return not np.isfinite(got) and np.isfinite(expected) and bool(np.any(y_pred == 0))


def _unclipped_loss(keras, y_true, y_pred) -> float:
    """The loss without the clipping: Keras' loss from logits log(p), whose softmax is p itself."""
    with np.errstate(divide="ignore"):
        return keras.categorical_crossentropy(y_true, np.log(y_pred / np.sum(y_pred, axis=-1, keepdims=True)),
                                              from_logits=True)


UNCLIPPED = ("log(p) of a probability near 0 is huge (of 0, infinite): clip the probabilities to [1e-7, 1 - 1e-7] "
             "first, as Keras does.")
MISTAKES = (
    Mistake("That is the sum over the batch: average it (np.mean over the rows).",
            lambda keras, expected, t, p: len(t) * expected),
    Mistake(UNCLIPPED, lambda keras, expected, t, p: None, symptom=_unclipped),
    Mistake(UNCLIPPED, lambda keras, expected, t, p: _unclipped_loss(keras, t, p)),
    Mistake("Use the natural logarithm, np.log, not np.log10.", lambda keras, expected, t, p: expected / math.log(10)),
    Mistake("A loss is positive: keep the minus sign in -sum(y_true * log(p)).", lambda keras, expected, t, p: -expected),
)


def _expect(ctx: Context, y_true, y_pred, expected: float, what: str) -> None:
    expect_fraction(ctx.call(y_true, y_pred), expected, function="categorical_crossentropy", notes=ctx.notes,
                    mistakes=MISTAKES, example=(y_true, y_pred), what=what, tolerance=LOSS_TOLERANCE, oracle=ctx.oracle)


@given(**strategies.unpacked(strategies.probabilities(), "y_true", "y_pred"))
def test_matches_keras(ctx: Context, keras, y_true: np.ndarray, y_pred: np.ndarray) -> None:
    """the loss equals Keras' categorical cross-entropy, clipping included"""
    _expect(ctx, y_true, y_pred, keras.categorical_crossentropy(y_true, y_pred),
            "keras.losses.categorical_crossentropy, averaged")


def test_untrained_model(ctx: Context, mnist: MnistBatches) -> None:
    """an untrained model's 0.1 everywhere scores ln(10) = 2.3026 on MNIST"""
    mnist.each("categorical_crossentropy(y_batch, the zero-weight model's 0.1 everywhere)", lambda batch: _expect(
        ctx, batch.y, np.full_like(batch.y, 0.1), math.log(10), "ln(10): every digit at probability 0.1"))


def _mnist(ctx: Context, mnist: MnistBatches) -> None:
    mnist.each("categorical_crossentropy(y_batch, model.predict(X_batch))",
               lambda batch: _expect(ctx, batch.y, batch.predict, batch.loss, "model.evaluate's loss"))


def test_mnist_batches(ctx: Context, mnist: MnistBatches) -> None:
    """the trained model's loss on the visible MNIST batches equals model.evaluate"""
    _mnist(ctx, mnist)


def test_mnist_hidden(ctx: Context, mnist_hidden: MnistBatches) -> None:
    """the trained model's loss on the hidden MNIST batches equals model.evaluate"""
    _mnist(ctx, mnist_hidden)


CONTRACTS = (
    ("clipped to [1e-7, 1 - 1e-7] as Keras does", ("matches_keras",)),
    ("A Python float: the loss averaged over the batch (what model.evaluate reports)",
     ("matches_keras", "mnist_batches", "mnist_hidden")),
    ("An untrained model that says 0.1 for every digit scores ln(10) = 2.3026", ("untrained_model",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
