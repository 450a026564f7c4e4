"""How accuracy(y_pred, y_true) is graded."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context, MnistBatches
from grader.grading.compare import Mistake, expect_fraction


TIE_BREAK = 1e-3
"""Smaller than any gap between the tie check's scores (whole numbers), larger than their rounding."""


def _ties_to(y_pred: np.ndarray, first: bool) -> np.ndarray:
    """The scores with every tie broken towards the first (or the last) of the tied classes, nothing else changed."""
    steps = TIE_BREAK * np.arange(y_pred.shape[-1])
    return (y_pred - steps if first else y_pred + steps).astype(y_pred.dtype)


MISTAKES = (
    Mistake("argmax went along the batch axis: each row's class is argmax over axis=-1.",
            lambda keras, expected, p, t: keras.categorical_accuracy(p.T, t.T)),
    Mistake("On a tie, the first of the tied classes counts (as np.argmax picks it), not the last.",
            lambda keras, expected, p, t: keras.categorical_accuracy(_ties_to(p, first=False), t)),
    Mistake("That is a percentage: return a fraction in [0, 1] (no * 100).",
            lambda keras, expected, p, t: 100 * expected),
    Mistake("That is a count of correct rows: divide by the number of rows (np.mean does it).",
            lambda keras, expected, p, t: len(p) * expected),
    Mistake("Compare the predicted class (argmax of each row) with the true class, not the raw values.",
            lambda keras, expected, p, t: np.mean(p == t)),
    Mistake("That is the error rate: accuracy counts the rows that are right.",
            lambda keras, expected, p, t: 1 - expected),
)


def _expect(ctx: Context, y_pred, y_true, expected: float, what: str) -> None:
    expect_fraction(ctx.call(y_pred, y_true), expected, function="accuracy", notes=ctx.notes,
                    mistakes=MISTAKES, example=(y_pred, y_true), what=what, oracle=ctx.oracle)


@given(**strategies.unpacked(strategies.predictions(), "y_pred", "y_true"))
def test_matches_keras(ctx: Context, keras, y_pred: np.ndarray, y_true: np.ndarray) -> None:
    """accuracy equals Keras' categorical accuracy on scores without ties"""
    _expect(ctx, y_pred, y_true, keras.categorical_accuracy(y_pred, y_true), "keras.metrics.categorical_accuracy, averaged")


@given(**strategies.unpacked(strategies.predictions(ties=True), "y_pred", "y_true"))
def test_ties_first_index(ctx: Context, keras, y_pred: np.ndarray, y_true: np.ndarray) -> None:
    """on a tie, the first maximal class counts, as np.argmax does"""
    _expect(ctx, y_pred, y_true, keras.categorical_accuracy(_ties_to(y_pred, first=True), y_true),
            "np.argmax's rule: the first tied class wins (Keras on the ties broken so)")


def _mnist(ctx: Context, mnist: MnistBatches) -> None:
    mnist.each("accuracy(model.predict(X_batch), y_batch)",
               lambda batch: _expect(ctx, batch.predict, batch.y, batch.accuracy, "model.evaluate"))


def test_mnist_batches(ctx: Context, mnist: MnistBatches) -> None:
    """accuracy of model.predict on the visible MNIST batches equals model.evaluate"""
    _mnist(ctx, mnist)


def test_mnist_hidden(ctx: Context, mnist_hidden: MnistBatches) -> None:
    """accuracy of model.predict on the hidden MNIST batches equals model.evaluate"""
    _mnist(ctx, mnist_hidden)


CONTRACTS = (
    ("y_pred: (n, k) scores or probabilities", ("matches_keras", "mnist_batches", "mnist_hidden")),
    ("A Python float in [0, 1], like Keras' ``categorical_accuracy`` averaged over the batch",
     ("matches_keras", "mnist_batches")),
    ("the first of the tied classes counts, as ``np.argmax`` does", ("ties_first_index",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
