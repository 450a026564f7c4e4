"""How one_hot(labels, num_classes) is graded."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context, MnistBatches
from grader.grading.compare import CheckFailed, Mistake, expect_array

MISTAKES = (
    Mistake("Labels start at 0: label 3 sets index 3 (no - 1 or + 1).",
            lambda keras, expected, labels, k: np.roll(expected, -1, axis=-1)),
    Mistake("The result is transposed: one row per label, one column per class.",
            lambda keras, expected, labels, k: expected.T),
    Mistake("The number of classes is hard-coded to 10: use the num_classes argument (MNIST has 10; others do not).",
            lambda keras, expected, labels, k: keras.to_categorical(labels, 10) if k != 10 else None),
    Mistake("Each row needs a single 1 at its label's index; the rest of the row stays 0.",
            lambda keras, expected, labels, k: np.ones_like(expected)),
)


def _expect(ctx: Context, labels: np.ndarray, num_classes: int, expected: np.ndarray, what: str) -> None:
    expect_array(ctx.call(labels, num_classes), expected, function="one_hot", input_dtype=np.dtype("float64"),
                 notes=ctx.notes, mistakes=MISTAKES, example=(labels, num_classes), what=what, oracle=ctx.oracle)


@given(**strategies.unpacked(strategies.class_labels(), "labels", "num_classes"))
def test_matches_keras(ctx: Context, keras, labels: np.ndarray, num_classes: int) -> None:
    """one_hot equals keras.utils.to_categorical for any labels and class count"""
    _expect(ctx, labels, num_classes, keras.to_categorical(labels, num_classes), "keras.utils.to_categorical")


SHAPES_HINT = ("Labels may come in any shape: index with the labels array itself (rows of np.eye(num_classes) "
               "picked by labels), which keeps their shape and adds the class axis; do not build a (n, k) array.")


def _right_when_flat(ctx: Context, labels: np.ndarray, k: int) -> bool:
    """Whether one_hot gets these labels right once they are flattened to 1-D: then only their shape is the trouble."""
    flat = labels.reshape(-1)
    outcome = ctx.call(flat, k)
    got = getattr(outcome, "value", None)
    return isinstance(got, np.ndarray) and got.shape == (flat.size, k) and \
        bool(np.allclose(got, ctx.oracle.to_categorical(flat, k)))


def _any_shape(ctx: Context, labels: np.ndarray, k: int) -> None:
    try:
        _expect(ctx, labels, k, ctx.oracle.to_categorical(labels, k), "keras.utils.to_categorical")
    except CheckFailed as failure:
        def explain(only=None, failure: CheckFailed = failure) -> tuple[str, ...]:
            if (only is None or SHAPES_HINT in only) and _right_when_flat(ctx, labels, k):
                return (SHAPES_HINT,)  # right on the same labels flattened: the shape is the whole trouble
            return failure.hints if only is None else failure.hints_among(tuple(only))
        raise CheckFailed(failure.problem, explain=explain) from None


@given(**strategies.unpacked(strategies.shaped_class_labels(), "labels", "num_classes"))
def test_label_shapes(ctx: Context, labels: np.ndarray, num_classes: int) -> None:
    """labels of any shape, (2, 3) say, give shape labels.shape + (num_classes,) as Keras does"""
    _any_shape(ctx, labels, num_classes)


def test_mnist_labels(ctx: Context, mnist: MnistBatches) -> None:
    """one_hot of MNIST digit labels gives the one-hot rows Keras trains on"""
    mnist.each("one_hot(digit_labels, 10)",
               lambda batch: _expect(ctx, batch.y.argmax(axis=-1), 10, batch.y, "the batch's one-hot labels"))


CONTRACTS = (
    ("labels: integer class labels in [0, num_classes), any shape; (n,) for a batch",
     ("matches_keras", "label_shapes")),
    ("num_classes: how many classes there are (10 for MNIST digits)", ("matches_keras", "mnist_labels")),
    ("A float array of shape ``labels.shape + (num_classes,)``", ("label_shapes",)),
    ("each row all zeros but a single 1 at the label's index", ("matches_keras", "mnist_labels")),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
