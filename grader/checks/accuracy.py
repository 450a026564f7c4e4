"""How accuracy(y_pred, y_true) is graded."""

from __future__ import annotations

import numpy as np

from grader import strategies
from grader.checks.base import Check, Context, check_property, on_each_batch, public_and_hidden
from grader.compare import Mistake, expect_fraction


def first_index_accuracy(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """The rule for ties, which Keras does not promise: np.argmax's first maximal index wins."""
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))


def _last_index(y_pred: np.ndarray) -> np.ndarray:
    return y_pred.shape[-1] - 1 - np.argmax(y_pred[:, ::-1], axis=-1)


MISTAKES = (
    Mistake("argmax went along the batch axis: each row's class is argmax over axis=-1.",
            lambda p, t: np.mean(np.argmax(p, axis=0) == np.argmax(t, axis=0))),
    Mistake("On a tie, the first of the tied classes counts (as np.argmax picks it), not the last.",
            lambda p, t: np.mean(_last_index(p) == np.argmax(t, axis=-1))),
    Mistake("That is a percentage: return a fraction in [0, 1] (no * 100).",
            lambda p, t: 100 * first_index_accuracy(p, t)),
    Mistake("That is a count of correct rows: divide by the number of rows (np.mean does it).",
            lambda p, t: np.sum(np.argmax(p, axis=-1) == np.argmax(t, axis=-1))),
    Mistake("Compare the predicted class (argmax of each row) with the true class, not the raw values.",
            lambda p, t: np.mean(p == t)),
    Mistake("That is the error rate: accuracy counts the rows that are right.",
            lambda p, t: 1 - first_index_accuracy(p, t)),
)


def _expect(ctx: Context, y_pred, y_true, expected: float, what: str) -> None:
    expect_fraction(ctx.call(y_pred, y_true), expected, function="accuracy", notes=ctx.notes,
                    mistakes=MISTAKES, example=(y_pred, y_true), what=what)


def matches_keras(ctx: Context) -> None:
    check_property(ctx, strategies.predictions(), ("y_pred", "y_true"),
                   lambda p, t: _expect(ctx, p, t, ctx.oracle.categorical_accuracy(p, t),
                                        "keras.metrics.categorical_accuracy, averaged"))


def ties_first_index(ctx: Context) -> None:
    check_property(ctx, strategies.predictions(ties=True), ("y_pred", "y_true"),
                   lambda p, t: _expect(ctx, p, t, first_index_accuracy(p, t), "np.argmax's rule: the first tied class wins"))


def _mnist(ctx: Context, hidden: bool) -> None:
    def run(batches, index):
        _expect(ctx, batches.predict[index], batches.y[index], float(batches.accuracy[index]), "model.evaluate")

    on_each_batch(ctx, hidden, "accuracy(model.predict(X_batch), y_batch)", run)


CHECKS = (
    Check("matches_keras", "accuracy equals Keras' categorical accuracy on scores without ties", matches_keras),
    Check("ties_first_index", "on a tie, the first maximal class counts, as np.argmax does", ties_first_index),
    *public_and_hidden("accuracy of model.predict on the {which} MNIST batches equals model.evaluate", _mnist),
)
