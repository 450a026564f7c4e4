"""How train_epoch(params, x, y, learning_rate, batch_size) is graded: against Keras' fit with plain SGD."""

from __future__ import annotations

import numpy as np

from grader.checks.base import Context
from grader.grading.compare import CheckFailed, Mistake, expect_array_list
from grader.references.store import EpochCase


def _without_short_batch(keras, W, b, x, y, lr, bs):
    rows = len(x) - len(x) % bs
    return keras.fit_epoch(W, b, x[:rows], y[:rows], lr, bs) if 0 < rows < len(x) else None


MISTAKES = (
    Mistake("The last, smaller batch was skipped: 10 rows in batches of 4 is 3 steps (4, 4, 2).",
            lambda keras, expected, W, b, x, y, lr, bs: _without_short_batch(keras, W, b, x, y, lr, bs)),
    Mistake("That is one step on the whole data: take one step per batch.",
            lambda keras, expected, W, b, x, y, lr, bs: keras.fit_epoch(W, b, x, y, lr, len(x))),
)


SHUFFLED = ("train_epoch gives a different answer each time it is called on the same input: the batches must not "
            "be shuffled or drawn at random. Take the rows in order, x[start:start + batch_size], as "
            "model.fit(..., shuffle=False) does.")


def _items(outcome) -> tuple | None:
    return getattr(outcome, "items", None)


def _same(first, second) -> bool:
    if first is None or second is None or len(first) != len(second):
        return first is second
    return all(a is not None and b is not None and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
               for a, b in zip(first, second))


def _expect(ctx: Context, case: EpochCase) -> None:
    name, W, b, x, y, lr, bs = case.name, case.W, case.b, case.x, case.y, case.learning_rate, case.batch_size
    outcome = ctx.call([W, b], x, y, lr, bs)
    try:
        expect_array_list(outcome, ctx.oracle.fit_epoch(W, b, x, y, lr, bs),
                          function="train_epoch", names=("W", "b"), input_dtype=np.dtype("float32"), notes=ctx.notes,
                          mistakes=MISTAKES, example=(W, b, x, y, lr, bs), what="Keras model.fit with SGD",
                          oracle=ctx.oracle)
    except CheckFailed as failure:
        def explain(only=None, failure: CheckFailed = failure) -> tuple[str, ...]:
            # A second call on the same input that answers differently explains any difference: random batches.
            if (only is None or SHUFFLED in only) and _items(outcome) is not None and \
                    not _same(_items(outcome), _items(ctx.call([W, b], x, y, lr, bs))):
                return (SHUFFLED,)
            return failure.hints if only is None else failure.hints_among(tuple(only))
        raise CheckFailed(f"On the input {name} (learning_rate={lr}, batch_size={bs}):\n{failure.problem}",
                          explain=explain) from None


def test_small_problems(ctx: Context) -> None:
    """one epoch equals Keras' fit (SGD, shuffle=False) when the last batch is short"""
    for case in ctx.references.cases.small_epochs:
        _expect(ctx, case)


def test_mnist_epoch(ctx: Context) -> None:
    """one epoch on 512 MNIST images equals Keras' fit with the same data, order and weights"""
    _expect(ctx, ctx.references.cases.mnist_epoch)


CONTRACTS = (
    ("take the rows of ``x`` and ``y`` in order", ("small_problems", "mnist_epoch")),
    ("the last batch may be smaller", ("small_problems",)),
    ("like ``model.fit(x, y, batch_size, epochs=1, shuffle=False)``", ("mnist_epoch", "small_problems")),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
