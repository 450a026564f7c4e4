"""How glorot_uniform(fan_in, fan_out, rng) is graded: statistically, never against one draw.

Each case draws a kernel from a generator seeded from the references' key (public, or the course
secret at grade time), so every student meets the same generators and the verdict is
deterministic. The distribution is judged by a one-sample Kolmogorov-Smirnov test against
Uniform(-limit, limit) at a significance level of 1e-6: a correct implementation that draws in
another order than the reference would be rejected with probability 1e-6 per case (4e-6 over the
4 cases), while the wrong distributions of the corpus (a normal one, the fan-in-only limit) give
p-values below 1e-30 on the large cases.
"""

from __future__ import annotations

import numpy as np

from grader.checks.base import Context
from grader.grading.compare import CheckFailed, expect_array_shape
from grader.sandbox.wire import SeededRng

CASES = ((784, 20), (20, 10), (64, 64), (5, 30))
"""(fan_in, fan_out): the tutorial's two layers, a square one, and a small wide one."""
SIGNIFICANCE = 1e-6


def limit(fan_in: int, fan_out: int) -> float:
    return float(np.sqrt(6 / (fan_in + fan_out)))


def ks_pvalue(sample: np.ndarray, low: float, high: float) -> tuple[float, float]:
    """The Kolmogorov-Smirnov statistic of ``sample`` against Uniform(low, high), and its asymptotic p-value."""
    values = np.sort(np.ravel(sample).astype(np.float64))
    n = len(values)
    cdf = np.clip((values - low) / (high - low), 0, 1)
    statistic = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    k = np.arange(1, 101)
    pvalue = float(np.clip(2 * np.sum((-1) ** (k - 1) * np.exp(-2 * k**2 * n * statistic**2)), 0, 1))
    return float(statistic), pvalue


def _draw(ctx: Context, fan_in: int, fan_out: int, seed: int) -> np.ndarray:
    return expect_array_shape(ctx.call(fan_in, fan_out, SeededRng(seed)), (fan_in, fan_out), function="glorot_uniform")


def _expect_bounds(w: np.ndarray, fan_in: int, fan_out: int, seed: int) -> None:
    bound = limit(fan_in, fan_out)
    call = f"glorot_uniform({fan_in}, {fan_out}, np.random.default_rng({seed}))"
    if np.max(np.abs(w)) > bound:
        raise CheckFailed(f"{call} has values up to {np.max(np.abs(w)):.4f}; every value must lie in "
                          f"[-{bound:.4f}, {bound:.4f}] = ±sqrt(6 / (fan_in + fan_out)).",
                          "limit = sqrt(6 / (fan_in + fan_out)), and draw uniformly between -limit and limit.")
    if np.max(np.abs(w)) < 0.9 * bound:
        raise CheckFailed(f"{call} never goes beyond {np.max(np.abs(w)):.4f}; with {w.size} uniform draws the "
                          f"values reach close to ±{bound:.4f}.",
                          "The range is [-limit, limit] with limit = sqrt(6 / (fan_in + fan_out)).")


def test_bounds(ctx: Context) -> None:
    """every weight lies in ±sqrt(6 / (fan_in + fan_out)) and the range is used"""
    for fan_in, fan_out in CASES:
        seed = ctx.references.seed(f"glorot.{fan_in}x{fan_out}")
        _expect_bounds(_draw(ctx, fan_in, fan_out, seed), fan_in, fan_out, seed)


def test_uniform_distribution(ctx: Context) -> None:
    """a Kolmogorov-Smirnov test accepts Uniform(-limit, limit) at 1e-6"""
    for fan_in, fan_out in CASES:
        seed = ctx.references.seed(f"glorot.{fan_in}x{fan_out}")
        w, bound = _draw(ctx, fan_in, fan_out, seed), limit(fan_in, fan_out)
        statistic, pvalue = ks_pvalue(w, -bound, bound)
        if pvalue < SIGNIFICANCE:
            raise CheckFailed(
                f"glorot_uniform({fan_in}, {fan_out}, np.random.default_rng({seed})) does not look uniform on "
                f"[-{bound:.4f}, {bound:.4f}]: Kolmogorov-Smirnov statistic {statistic:.4f}, p = {pvalue:.2g} "
                f"(< {SIGNIFICANCE:g}). Its mean is {w.mean():.4f} and its standard deviation {w.std():.4f}; "
                f"uniform ones would be 0 and {bound / np.sqrt(3):.4f}.",
                "Use rng.uniform(-limit, limit, size=(fan_in, fan_out)), not a normal distribution.")


def test_uses_the_generator(ctx: Context) -> None:
    """the same generator state gives the same weights (in bounds), another gives others"""
    fan_in, fan_out = CASES[1]
    seed, other_seed = ctx.references.seed("glorot.same"), ctx.references.seed("glorot.other")
    first, again = _draw(ctx, fan_in, fan_out, seed), _draw(ctx, fan_in, fan_out, seed)
    other = _draw(ctx, fan_in, fan_out, other_seed)
    if not np.array_equal(first, again):
        # the values themselves are not shown: they differ from run to run, and feedback must not
        raise CheckFailed(f"Two calls with np.random.default_rng({seed}) gave different weights (they differ in "
                          f"{np.count_nonzero(first != again)} of {first.size} places).",
                          "Draw from the rng argument (rng.uniform), not from np.random.")
    if np.array_equal(first, other):
        raise CheckFailed(f"Generators seeded {seed} and {other_seed} gave the same weights.",
                          "Draw from the rng argument.")
    _expect_bounds(first, fan_in, fan_out, seed)  # weights, not just any numbers drawn from the generator


CONTRACTS = (
    ("limit = sqrt(6 / (fan_in + fan_out))", ("bounds",)),
    ("drawn independently and uniformly from [-limit, limit]", ("uniform_distribution", "bounds")),
    ("A float array of shape (fan_in, fan_out)", ("bounds",)),
    ("the same generator state must give the same weights", ("uses_the_generator",)),
)
"""What the docstring promises, quoted from it, and the checks that test each promise (grader.authoring.contracts)."""
