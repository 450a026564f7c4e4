"""How much of each comparison's tolerance does a correct answer use, and how far outside is a mistake?

    .venv/bin/python benchmarks/tolerance_headroom.py [--examples N]

For the gradients and the cross-entropy loss (the comparisons whose tolerance grader/grading/compare.py and
grader/checks/crossentropy.py argue for in words), this draws the grading strategies' own inputs
(derandomized, as grading does) plus the public MNIST batches at the trained weights, computes Keras'
answer live, and compares with it:

- several *correct* implementations, each computed in the input's dtype (the solution; a log-sum-exp
  form; float64 throughout, cast back): the largest fraction of the tolerance any of them uses;
- the known *mistakes* of the check module: on what share of inputs each one is outside the tolerance,
  and its median distance in tolerances (a mistake that equals the right answer on an input, like the
  missing 1/n on a batch of one, is not outside there, and needs no catching there).

A fraction well below 1 for every correct form, and mistakes outside by orders of magnitude, is the
evidence the tolerance rests on. Needs TensorFlow (it computes Keras' answers live).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from grader.grading import strategies  # noqa: E402
from grader.checks import crossentropy as crossentropy_checks  # noqa: E402
from grader.checks import gradients as gradient_checks  # noqa: E402
from grader.grading.compare import Tolerance, tolerance_for  # noqa: E402
from grader.oracle.recorded import Oracle  # noqa: E402
from grader.references.store import load_references  # noqa: E402


def used(got, expected, tolerance: Tolerance) -> float:
    """The largest |got - expected| as a fraction of what the tolerance allows there (1 = at the edge)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return math.inf
    allowed = tolerance.atol + tolerance.rtol * np.abs(expected)
    with np.errstate(all="ignore"):
        return float(np.max(np.abs(got - expected) / allowed)) if got.size else 0.0


# --- correct gradients, three ways -------------------------------------------------------------------------

def grad_solution(x, W, b, t):
    z = x @ W + b
    e = np.exp(z - z.max(-1, keepdims=True))
    d = (e / e.sum(-1, keepdims=True) - t) / len(x)
    return [x.T @ d, d.sum(0)]


def grad_logsumexp(x, W, b, t):
    z = x @ W + b
    m = z.max(-1, keepdims=True)
    p = np.exp(z - (m + np.log(np.exp(z - m).sum(-1, keepdims=True))))
    d = (p - t) / x.shape[0]
    return [np.einsum("ni,nu->iu", x, d), np.einsum("nu->u", d)]


def grad_float64(x, W, b, t):
    return [g.astype(x.dtype) for g in grad_solution(*(a.astype(np.float64) for a in (x, W, b, t)))]


GRAD_CORRECT = {"solution": grad_solution, "log-sum-exp, einsum": grad_logsumexp, "float64, cast back": grad_float64}


def loss_solution(t, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(np.mean(-np.sum(t * np.log(p), axis=-1)))


def loss_float64(t, p):
    return loss_solution(t.astype(np.float64), p.astype(np.float64))


def loss_float32(t, p):
    p = np.clip(p.astype(np.float32), np.float32(1e-7), np.float32(1 - 1e-7))
    return float(np.mean(-np.sum(t.astype(np.float32) * np.log(p), axis=-1), dtype=np.float32))


LOSS_CORRECT = {"solution": loss_solution, "float64": loss_float64, "float32 throughout": loss_float32}


class Tally:
    def __init__(self):
        self.correct: dict[str, float] = {}
        self.mistakes: dict[str, list[float]] = {}

    def add_correct(self, name: str, fraction: float) -> None:
        self.correct[name] = max(self.correct.get(name, 0.0), fraction)

    def add_mistake(self, name: str, fraction: float) -> None:
        self.mistakes.setdefault(name, []).append(fraction)

    def print(self, title: str, tolerance_text: str) -> None:
        print(f"\n{title}\n  tolerance: {tolerance_text}")
        for name, worst in self.correct.items():
            print(f"  correct, {name:<24} uses at most {worst:8.3f} of the tolerance")
        for name, fractions in self.mistakes.items():
            values = np.array(fractions)
            outside = values > 1
            median = float(np.median(values[outside])) if outside.any() else float("nan")
            print(f"  mistake, {name[:44]:<44} outside on {outside.mean():6.1%} of inputs, median {median:10.3g}x")


def gradients(examples: int, references) -> None:
    tally = Tally()

    def measure(x, W, b, t, tolerance):
        expected = keras.crossentropy_gradients(x, W, b, t)
        for name, correct in GRAD_CORRECT.items():
            tally.add_correct(name, max(used(g, e, tolerance) for g, e in zip(correct(x, W, b, t), expected)))
        for mistake in gradient_checks.MISTAKES:
            wrong = mistake.wrong(keras, expected, x, W, b, t)
            tally.add_mistake(mistake.hint, max(used(g, e, tolerance) for g, e in zip(wrong, expected)))

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None)
    @given(strategies.layer_batches())
    def drawn(case):
        measure(*case, tolerance_for(case[0].dtype))

    drawn()
    batches = references.visible
    for index in range(len(batches)):
        measure(batches.x[index], references.W, references.b, batches.y[index], tolerance_for(np.float32))
    tally.print(f"gradients: {examples} drawn inputs (float32 and float64) + {len(batches)} MNIST batches at the "
                "trained weights", tolerance_for(np.float32).why)


def losses(examples: int, references) -> None:
    tally = Tally()
    tolerance = crossentropy_checks.LOSS_TOLERANCE

    def measure(t, p):
        expected = keras.categorical_crossentropy(t, p)
        for name, correct in LOSS_CORRECT.items():
            tally.add_correct(name, used(correct(t, p), expected, tolerance))
        for mistake in crossentropy_checks.MISTAKES:
            wrong = mistake.wrong(keras, float(expected), t, p)
            if wrong is not None:
                tally.add_mistake(mistake.hint, used(wrong, expected, tolerance))

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None)
    @given(strategies.probabilities())
    def drawn(case):
        measure(*case)

    drawn()
    batches = references.visible
    for index in range(len(batches)):
        measure(batches.y[index], batches.predict[index])
    tally.print(f"cross-entropy: {examples} drawn inputs + {len(batches)} MNIST batches", tolerance.why)


keras = Oracle()  # live Keras, in this process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    args = parser.parse_args()
    references = load_references()
    gradients(args.examples, references)
    losses(args.examples, references)


if __name__ == "__main__":
    main()
