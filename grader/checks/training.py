"""How train_epoch(params, x, y, learning_rate, batch_size) is graded: against Keras' fit with plain SGD."""

from __future__ import annotations

import functools

import numpy as np

from grader.checks.base import Check, Context
from grader.compare import CheckFailed, Mistake, Tolerance, expect_array_list
from grader.mnist import flatten_images, load_sample, one_hot

FIT_TOLERANCE = Tolerance(
    1e-4, 1e-5, "after tens of float32 SGD steps, correct loops differ from Keras' by ~1e-6; a skipped or "
    "extra step moves the weights by ~learning_rate * gradient, far more"
)
MNIST_ROWS, MNIST_BATCH, MNIST_RATE = 512, 32, 0.1


def _steps(W, b, x, y, lr, bs, limit=None):
    n = len(x) if limit is None else limit
    for start in range(0, n, bs):
        xb, yb = x[start : start + bs], y[start : start + bs]
        z = xb @ W + b
        p = np.exp(z - z.max(axis=-1, keepdims=True))
        delta = (p / p.sum(axis=-1, keepdims=True) - yb) / len(xb)
        W, b = W - lr * (xb.T @ delta), b - lr * delta.sum(axis=0)
    return [W, b]


MISTAKES = (
    Mistake("The last, smaller batch was skipped: 10 rows in batches of 4 is 3 steps (4, 4, 2).",
            lambda W, b, x, y, lr, bs: _steps(W, b, x, y, lr, bs, limit=len(x) - len(x) % bs)),
    Mistake("That is one step on the whole data: take one step per batch.",
            lambda W, b, x, y, lr, bs: _steps(W, b, x, y, lr, len(x))),
)


def _small_cases() -> list[tuple]:
    """(name, W, b, x, y, learning_rate, batch_size) for small problems whose last batch is short."""
    rng = np.random.default_rng(5)
    cases = []
    for n, inputs, units, batch in ((10, 3, 4, 4), (7, 5, 3, 7), (9, 4, 4, 2)):
        x = rng.uniform(-1, 1, (n, inputs)).astype("float32")
        y = np.eye(units, dtype="float32")[rng.integers(0, units, n)]
        W = rng.uniform(-0.5, 0.5, (inputs, units)).astype("float32")
        cases.append((f"{n} rows, batches of {batch}", W, np.zeros(units, "float32"), x, y, 0.5, batch))
    return cases


@functools.cache
def _mnist_case() -> tuple:
    """The same for the first rows of the bundled MNIST sample (read once per grading process)."""
    sample = load_sample()
    x, y = flatten_images(sample.x_train[:MNIST_ROWS]), one_hot(sample.y_train[:MNIST_ROWS])
    limit = np.sqrt(6 / (784 + 10))
    W = np.random.default_rng(6).uniform(-limit, limit, (784, 10)).astype("float32")
    return (f"the first {MNIST_ROWS} images of the bundled MNIST sample, batches of {MNIST_BATCH}",
            W, np.zeros(10, "float32"), x, y, MNIST_RATE, MNIST_BATCH)


def _expect(ctx: Context, case) -> None:
    name, W, b, x, y, lr, bs = case
    try:
        expect_array_list(ctx.call([W, b], x, y, lr, bs), ctx.oracle.fit_epoch(W, b, x, y, lr, bs),
                          function="train_epoch", names=("W", "b"), input_dtype=np.dtype("float32"), notes=ctx.notes,
                          mistakes=MISTAKES, example=(W, b, x, y, lr, bs), what="Keras model.fit with SGD")
    except CheckFailed as failure:
        raise CheckFailed(f"On the input {name} (learning_rate={lr}, batch_size={bs}):\n{failure.problem}",
                          failure.hints) from None


def small_problems(ctx: Context) -> None:
    for case in _small_cases():
        _expect(ctx, case)


def mnist_epoch(ctx: Context) -> None:
    _expect(ctx, _mnist_case())


CHECKS = (
    Check("small_problems", "one epoch equals Keras' fit (SGD, shuffle=False) when the last batch is short",
          small_problems),
    Check("mnist_epoch", "one epoch on 512 real MNIST images equals Keras' fit with the same data, order and weights",
          mnist_epoch),
)
