"""How dense_forward(x, W, b, activation=None) is graded."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context, MnistBatches
from grader.grading.compare import PRODUCT_HINT, CheckFailed, Mistake, expect_array
from grader.grading.student_process import ExerciseStopped, Raised, Returned


def _activated(keras, z: np.ndarray, activation: str | None, axis: int = -1) -> np.ndarray:
    """Keras' activation of ``z``."""
    if activation == "relu":
        return keras.relu(z)
    if activation == "softmax":
        return keras.softmax(z, axis)
    return z


def _linear(keras, x, W, b):
    return keras.dense(x, W, b, None)


MISTAKES = (
    Mistake("Forgot the bias: the layer computes x @ W + b.",
            lambda keras, expected, x, W, b, act: keras.dense(x, W, np.zeros_like(b), act)),
    Mistake(
        PRODUCT_HINT,
        lambda keras, expected, x, W, b, act: keras.dense(x, W.T, b, act) if W.shape[0] == W.shape[1] else None,
    ),
    Mistake(
        "The bias went down the rows instead of across the units: b has one value per unit (column).",
        lambda keras, expected, x, W, b, act: _activated(
            keras, _linear(keras, x, W, np.zeros_like(b)) + b[:, np.newaxis], act),
    ),
    Mistake(
        "The activation was not applied: after z = x @ W + b, apply relu or softmax as asked.",
        lambda keras, expected, x, W, b, act: _linear(keras, x, W, b) if act in ("relu", "softmax") else None,
    ),
    Mistake(
        "Softmax went along the batch axis: each example's row of units must sum to 1 (axis=-1).",
        lambda keras, expected, x, W, b, act: keras.softmax(_linear(keras, x, W, b), 0)
        if act == "softmax" and x.ndim == 2 else None,
    ),
    Mistake("ReLU keeps positive values and zeroes negative ones: np.maximum(z, 0).",
            lambda keras, expected, x, W, b, act: np.abs(_linear(keras, x, W, b)) if act == "relu" else None),
)


OWN_SOFTMAX = ("That is what your softmax() from softmax.py returns for these logits, and it is not Keras' softmax: "
               "fix softmax first (its own checks say how); dense_forward's softmax results follow.")


def _mistakes(ctx: Context) -> tuple[Mistake, ...]:
    """The known mistakes, first among them the student's own softmax (which dense_forward is asked to use)."""
    def own_softmax(keras, expected, x, W, b, act):
        if act != "softmax":
            return None
        try:
            outcome = ctx.student.call("softmax", "softmax", _linear(keras, x, W, b))
        except ExerciseStopped:  # softmax itself hangs or crashes: its own checks say so
            return None
        return outcome.value if isinstance(outcome, Returned) and outcome.kind == "ndarray" else None
    return (Mistake(OWN_SOFTMAX, own_softmax), *MISTAKES)


def _call(ctx: Context, x, W, b, activation, return_args=False):
    if activation is None:
        return ctx.call(x, W, b, return_args=return_args)
    return ctx.call(x, W, b, activation=activation, return_args=return_args)


def _expect_keras(ctx: Context, x, W, b, activation, return_args: bool = False):
    outcome = _call(ctx, x, W, b, activation, return_args=return_args)
    expect_array(outcome, ctx.oracle.dense(x, W, b, activation), function="dense_forward",
                 input_dtype=x.dtype, notes=ctx.notes, mistakes=_mistakes(ctx), example=(x, W, b, activation),
                 what=f"keras.layers.Dense(activation={activation!r})", oracle=ctx.oracle)
    return outcome


def _layers(activations: tuple, single: bool = False) -> dict[str, st.SearchStrategy]:
    """@given's strategies for x, W, b (drawn together) and an activation among these."""
    cases = st.tuples(strategies.dense_inputs(single), st.sampled_from(activations)).map(lambda c: (*c[0], c[1]))
    return strategies.unpacked(cases, "x", "W", "b", "activation")


def _inputs_unchanged(ctx: Context, x, W, b, activation) -> None:
    outcome = _expect_keras(ctx, x, W, b, activation, return_args=True)  # the inputs of a right answer, unchanged
    for name, before, after in zip("xWb", (x, W, b), outcome.args_after):
        if not np.array_equal(before, after):
            raise CheckFailed(f"dense_forward() changed its input {name}.",
                              "Compute into new arrays: z = x @ W + b makes one; avoid +=, np.maximum(..., out=...).")


@given(**_layers((None, "relu", "softmax")))
def test_inputs_unchanged(ctx: Context, x, W, b, activation) -> None:
    """a right answer, with x, W and b the same after the call"""
    _inputs_unchanged(ctx, x, W, b, activation)


UNKNOWN_ACTIVATIONS = ("sigmoid", "tanh", "Relu", "SOFTMAX", "soft max", "relu ", "gelu", "elu")


def _refuses_unknown(ctx: Context, x, W, b, activation: str) -> None:
    _expect_keras(ctx, x, W, b, None)  # first a right layer: refusing everything is not the work
    outcome = _call(ctx, x, W, b, activation)
    if not isinstance(outcome, Raised) or outcome.exception != "ValueError":
        got = f"raised {outcome.exception}" if isinstance(outcome, Raised) else "returned a result"
        raise CheckFailed(f"dense_forward(x, W, b, activation={activation!r}) {got}; the docstring asks for a "
                          "ValueError for an activation it does not know.",
                          'End with: raise ValueError(f"unknown activation {activation!r}").')


@given(**_layers(UNKNOWN_ACTIVATIONS))
def test_unknown_activation(ctx: Context, x, W, b, activation: str) -> None:
    """a right layer that raises ValueError for an activation it does not know ('sigmoid', 'Relu')"""
    _refuses_unknown(ctx, x, W, b, activation)


def _mnist(ctx: Context, mnist: MnistBatches) -> None:
    W, b = ctx.references.W, ctx.references.b

    def run(batch):
        for activation, expected, what in ((None, batch.logits, "Keras Dense logits, no activation"),
                                           ("softmax", batch.predict, "model.predict, activation='softmax'")):
            expect_array(_call(ctx, batch.x, W, b, activation), expected, function="dense_forward",
                         input_dtype=batch.x.dtype, notes=ctx.notes, mistakes=_mistakes(ctx),
                         example=(batch.x, W, b, activation), what=what, oracle=ctx.oracle)

    mnist.each(f"dense_forward(X_batch, W, b) and with activation='softmax', X_batch (64, 784), "
               f"W {W.shape} and b {b.shape} of the trained model", run)


@given(**_layers((None, "linear")))
def test_linear_matches_keras(ctx: Context, x, W, b, activation) -> None:
    """dense_forward(x, W, b) equals keras.layers.Dense with weights [W, b]"""
    _expect_keras(ctx, x, W, b, activation)


@given(**_layers(("relu",)))
def test_relu_matches_keras(ctx: Context, x, W, b, activation) -> None:
    """activation='relu' equals Keras Dense(activation='relu')"""
    _expect_keras(ctx, x, W, b, activation)


@given(**_layers(("softmax",)))
def test_softmax_matches_keras(ctx: Context, x, W, b, activation) -> None:
    """activation='softmax' equals Keras Dense(activation='softmax')"""
    _expect_keras(ctx, x, W, b, activation)


@given(**_layers((None, "relu", "softmax"), single=True))
def test_single_example(ctx: Context, x, W, b, activation) -> None:
    """one example, x of shape (inputs,) or (1, inputs), gives (units,) or (1, units) as Keras does, for every
    activation
    """
    _expect_keras(ctx, x, W, b, activation)


def test_mnist_batches(ctx: Context, mnist: MnistBatches) -> None:
    """the trained model's logits and model.predict on the visible MNIST batches"""
    _mnist(ctx, mnist)


def test_mnist_hidden(ctx: Context, mnist_hidden: MnistBatches) -> None:
    """the trained model's logits and model.predict on the hidden MNIST batches"""
    _mnist(ctx, mnist_hidden)


CONTRACTS = (
    ("x: inputs, (batch, inputs)", ("linear_matches_keras", "single_example", "mnist_batches", "mnist_hidden")),
    ("one example alone is (inputs,)", ("single_example",)),
    ("W: the kernel, (inputs, units), as ``layer.get_weights()[0]`` gives it", ("linear_matches_keras",)),
    ("b: the bias, (units,), added to every row", ("linear_matches_keras",)),
    ("``\"relu\"`` (max(z, 0) elementwise)", ("relu_matches_keras",)),
    ("``\"softmax\"`` (along the last axis", ("softmax_matches_keras", "mnist_batches")),
    ("(batch, units), or (units,) for a single example", ("linear_matches_keras", "single_example")),
    ("The inputs are not modified", ("inputs_unchanged",)),
    ("Any other ``activation`` is a mistake by the caller: raise ValueError", ("unknown_activation",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
