"""How mlp_forward(x, params) is graded."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context, MnistBatches
from grader.checks.softmax import exp_left_range
from grader.grading.compare import Mistake, expect_array


def _hidden_layer(keras, x, params, activation="relu"):
    return keras.dense(x, params[0], params[1], activation)


def _logits(keras, x, params):
    """The output layer's scores before softmax, from Keras."""
    return keras.dense(_hidden_layer(keras, x, params), params[2], params[3], None)


MISTAKES = (
    Mistake("ReLU is missing after the first layer: hidden = relu(x @ W1 + b1).",
            lambda keras, expected, x, p: keras.dense(_hidden_layer(keras, x, p, None), p[2], p[3], "softmax")),
    Mistake("Softmax is missing after the second layer.",
            lambda keras, expected, x, p: keras.dense(_hidden_layer(keras, x, p), p[2], p[3], None)),
    Mistake("The hidden layer is a sigmoid: this network's hidden layer is ReLU, np.maximum(x @ W1 + b1, 0).",
            lambda keras, expected, x, p: keras.dense(_hidden_layer(keras, x, p, "sigmoid"), p[2], p[3], "softmax")),
    Mistake("A bias is missing: each layer adds its own b.",
            lambda keras, expected, x, p: keras.mlp(x, [p[0], np.zeros_like(p[1]), p[2], p[3]])),
    Mistake("Softmax went along the batch axis: each row's classes sum to 1 (axis=-1).",
            lambda keras, expected, x, p: keras.softmax(keras.dense(_hidden_layer(keras, x, p), p[2], p[3], None), 0)),
    Mistake("The softmax's exp() left the float range where the logits are large (nan or inf in those rows): "
            "subtract each row's maximum (np.max(z, axis=-1, keepdims=True)) before np.exp; softmax does not "
            "change when a whole row moves by the same amount.",
            lambda keras, expected, x, p: None, symptom_needs_keras=True,
            symptom=lambda keras, got, expected, x, p: exp_left_range(got, expected, _logits(keras, x, p), -1)),
)


def _mlp(ctx: Context, x: np.ndarray, params: list, what: str = "a Keras Dense(relu) -> Dense(softmax) model",
         scale: float = 0.0) -> None:
    expect_array(ctx.call(x, params), ctx.oracle.mlp(x, params), function="mlp_forward", input_dtype=x.dtype,
                 notes=ctx.notes, mistakes=MISTAKES, example=(x, params), what=what, oracle=ctx.oracle, scale=scale)


@given(**strategies.unpacked(strategies.mlp_cases(), "x", "params"))
def test_matches_keras(ctx: Context, x, params: list) -> None:
    """mlp_forward equals a Keras Input -> Dense(relu) -> Dense(softmax) model"""
    _mlp(ctx, x, params)


def _logit_scale(ctx: Context, x, params) -> float:
    """How large the output layer's logits are (Keras computes them): what the softmax's tolerance follows."""
    return float(np.max(np.abs(_logits(ctx.oracle, x, params))))


@given(**strategies.unpacked(strategies.large_mlp_cases(), "x", "params"))
def test_large_logits(ctx: Context, x, params: list) -> None:
    """inputs of raw pixel size (logits in the thousands) stay finite and right: the softmax subtracts each row's
    maximum
    """
    _mlp(ctx, x, params, scale=_logit_scale(ctx, x, params))


def test_mnist_batches(ctx: Context, references, mnist: MnistBatches) -> None:
    """784 -> 20 -> 10 on the visible MNIST batches equals the Keras model's predict"""
    params = list(references.cases.mlp_params)
    mnist.each("mlp_forward(X_batch, [W1, b1, W2, b2]) with Keras' Glorot-uniform weights, 784 -> 20 -> 10",
               lambda batch: _mlp(ctx, batch.x, params, "model.predict of the same Keras model"))


CONTRACTS = (
    ("``params = [W1, b1, W2, b2]`` in the order ``model.get_weights()`` gives", ("matches_keras", "mnist_batches")),
    ("(batch, classes) probabilities; each row sums to 1", ("matches_keras",)),
    ("write the softmax here (subtract each row's max first)", ("large_logits",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
