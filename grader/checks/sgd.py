"""How sgd_step(params, grads, learning_rate) is graded."""

from __future__ import annotations

import numpy as np

from grader.grading import strategies
from hypothesis import given

from grader.checks.base import Context
from grader.grading.compare import CheckFailed, Mistake, expect_array_list

MISTAKES = (
    Mistake("Step against the gradient: p - learning_rate * g (the gradient points uphill).",
            lambda keras, stepped, ps, gs, lr: [2 * p - s for p, s in zip(ps, stepped)]),
    Mistake("Scale the gradient by the learning rate: p - learning_rate * g.",
            lambda keras, stepped, ps, gs, lr: [p - (p - s) / lr for p, s in zip(ps, stepped)]),
)


def _names(params: list) -> tuple[str, ...]:
    return tuple(f"params[{index}]" for index in range(len(params)))


def _expect(ctx: Context, params, grads, learning_rate, return_args: bool = False):
    outcome = ctx.call(params, grads, learning_rate, return_args=return_args)
    expect_array_list(outcome, ctx.oracle.sgd_step(params, grads, learning_rate), function="sgd_step",
                      names=_names(params), input_dtype=params[0].dtype, notes=ctx.notes, mistakes=MISTAKES,
                      example=(params, grads, learning_rate), what="keras.optimizers.SGD", oracle=ctx.oracle)
    return outcome


@given(**strategies.unpacked(strategies.sgd_cases(), "params", "grads", "learning_rate"))
def test_matches_keras(ctx: Context, params: list, grads: list, learning_rate: float) -> None:
    """one step equals keras.optimizers.SGD applying the gradients"""
    _expect(ctx, params, grads, learning_rate)


def _unchanged(ctx: Context, params, grads, learning_rate) -> None:
    outcome = _expect(ctx, params, grads, learning_rate, return_args=True)
    after_params, after_grads = outcome.args_after[0], outcome.args_after[1]
    for name, before, after in (("params", params, after_params), ("grads", grads, after_grads)):
        if not all(np.array_equal(b, a) for b, a in zip(before, after)):
            raise CheckFailed(f"sgd_step() changed the arrays in {name}.",
                              "p - learning_rate * g makes a new array; p -= ... changes the caller's.")


@given(**strategies.unpacked(strategies.sgd_cases(), "params", "grads", "learning_rate"))
def test_inputs_unchanged(ctx: Context, params: list, grads: list, learning_rate: float) -> None:
    """params and grads are the same after the call"""
    _unchanged(ctx, params, grads, learning_rate)


CONTRACTS = (
    ("p_new = p - learning_rate * g", ("matches_keras",)),
    ("A new list of new arrays, in the same order", ("matches_keras",)),
    ("``params`` and ``grads`` are not modified", ("inputs_unchanged",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
