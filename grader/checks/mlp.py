"""How relu(z) and mlp_forward(x, params) are graded."""

from __future__ import annotations

import numpy as np

from grader import strategies
from grader.checks.base import Check, Context, check_property, on_each_batch
from grader.compare import CheckFailed, Mistake, expect_array

MNIST_HIDDEN_UNITS = 20
MNIST_SEED = 20
"""The MNIST check uses seeded Glorot-uniform weights (never zeros: a missing bias would pass at zero)."""


def _softmax(z: np.ndarray) -> np.ndarray:
    exps = np.exp(z - z.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


RELU_MISTAKES = (
    Mistake("ReLU keeps positive values and zeroes the negative ones, elementwise: np.maximum(z, 0).",
            lambda z: np.abs(z)),
    Mistake("That keeps the negative values and zeroes the positive ones: np.maximum(z, 0), not np.minimum.",
            lambda z: np.minimum(z, 0)),
)

MLP_MISTAKES = (
    Mistake("ReLU is missing after the first layer: hidden = relu(x @ W1 + b1).",
            lambda x, p: _softmax((x @ p[0] + p[1]) @ p[2] + p[3])),
    Mistake("Softmax is missing after the second layer.",
            lambda x, p: np.maximum(x @ p[0] + p[1], 0) @ p[2] + p[3]),
    Mistake("A bias is missing: each layer adds its own b.",
            lambda x, p: _softmax(np.maximum(x @ p[0], 0) @ p[2] + p[3])),
    Mistake("Softmax went along the batch axis: each row's classes sum to 1 (axis=-1).",
            lambda x, p: (lambda z: np.exp(z - z.max(0)) / np.exp(z - z.max(0)).sum(0))(
                np.maximum(x @ p[0] + p[1], 0) @ p[2] + p[3])),
)


def _relu(ctx: Context, z: np.ndarray) -> None:
    outcome = ctx.call(z, return_args=True)
    expect_array(outcome, ctx.oracle.relu(z), function="relu", input_dtype=z.dtype, notes=ctx.notes,
                 mistakes=RELU_MISTAKES, example=(z,), what="keras.activations.relu")
    if not np.array_equal(outcome.args_after[0], z):
        raise CheckFailed("relu() changed its input z.", "np.maximum(z, 0) makes a new array; z[z < 0] = 0 does not.")


def relu_matches_keras(ctx: Context) -> None:
    check_property(ctx, strategies.logits().map(lambda z: (z,)), ("z",), lambda z: _relu(ctx, z))


def _mlp(ctx: Context, x: np.ndarray, params: list, what: str = "a Keras Dense(relu) -> Dense(softmax) model") -> None:
    expect_array(ctx.call(x, params), ctx.oracle.mlp(x, params), function="mlp_forward", input_dtype=x.dtype,
                 notes=ctx.notes, mistakes=MLP_MISTAKES, example=(x, params), what=what)


def mlp_matches_keras(ctx: Context) -> None:
    check_property(ctx, strategies.mlp_cases(), ("x", "params"), lambda x, params: _mlp(ctx, x, params))


def mnist_params() -> list[np.ndarray]:
    """[W1, b1, W2, b2] for 784 -> 20 -> 10: Glorot-uniform kernels and small biases, from a fixed seed."""
    rng = np.random.default_rng(MNIST_SEED)

    def glorot(fan_in: int, fan_out: int) -> np.ndarray:
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32")

    return [glorot(784, MNIST_HIDDEN_UNITS), rng.uniform(-0.1, 0.1, MNIST_HIDDEN_UNITS).astype("float32"),
            glorot(MNIST_HIDDEN_UNITS, 10), rng.uniform(-0.1, 0.1, 10).astype("float32")]


def mlp_mnist_batches(ctx: Context) -> None:
    params = mnist_params()
    on_each_batch(ctx, False, "mlp_forward(X_batch, [W1, b1, W2, b2]) with seeded Glorot weights, 784 -> 20 -> 10",
                  lambda batches, index: _mlp(ctx, batches.x[index], params, "model.predict of the same Keras model"))


RELU_CHECKS = (
    Check("matches_keras", "relu equals keras.activations.relu on any shape and float dtype; z is not modified",
          relu_matches_keras),
)
MLP_CHECKS = (
    Check("matches_keras", "mlp_forward equals a Keras Input -> Dense(relu) -> Dense(softmax) model", mlp_matches_keras),
    Check("mnist_batches", "784 -> 20 -> 10 on the public MNIST batches equals the Keras model's predict",
          mlp_mnist_batches),
)
