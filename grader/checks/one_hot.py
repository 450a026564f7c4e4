"""How one_hot(labels, num_classes) is graded."""

from __future__ import annotations

import numpy as np

from grader import strategies
from grader.checks.base import Check, Context, check_property, on_each_batch
from grader.compare import Mistake, expect_array

MISTAKES = (
    Mistake("Labels start at 0: label 3 sets index 3 (no - 1 or + 1).",
            lambda keras, expected, labels, k: np.roll(expected, -1, axis=-1)),
    Mistake("The result is transposed: one row per label, one column per class.",
            lambda keras, expected, labels, k: expected.T),
    Mistake("Each row needs a single 1 at its label's index; the rest of the row stays 0.",
            lambda keras, expected, labels, k: np.ones_like(expected)),
)


def _expect(ctx: Context, labels: np.ndarray, num_classes: int, expected: np.ndarray, what: str) -> None:
    expect_array(ctx.call(labels, num_classes), expected, function="one_hot", input_dtype=np.dtype("float64"),
                 notes=ctx.notes, mistakes=MISTAKES, example=(labels, num_classes), what=what, oracle=ctx.oracle)


def matches_keras(ctx: Context) -> None:
    check_property(ctx, strategies.class_labels(), ("labels", "num_classes"),
                   lambda labels, k: _expect(ctx, labels, k, ctx.oracle.to_categorical(labels, k),
                                             "keras.utils.to_categorical"))


def mnist_labels(ctx: Context) -> None:
    def run(batches, index):
        _expect(ctx, batches.y[index].argmax(axis=-1), 10, batches.y[index], "the batch's one-hot labels")

    on_each_batch(ctx, False, "one_hot(digit_labels, 10)", run)


CHECKS = (
    Check("matches_keras", "one_hot equals keras.utils.to_categorical for any labels and class count", matches_keras),
    Check("mnist_labels", "one_hot of MNIST digit labels gives the one-hot rows Keras trains on", mnist_labels),
)
