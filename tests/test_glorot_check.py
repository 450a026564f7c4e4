"""The statistical check of glorot_uniform accepts Keras' own initializer and rejects near misses."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.glorot import CASES, SIGNIFICANCE, ks_pvalue, limit
from grader.references.store import load_references


def test_ks_accepts_uniform_and_rejects_the_rest():
    rng = np.random.default_rng(0)
    assert ks_pvalue(rng.uniform(-1, 1, 5000), -1, 1)[1] > 0.01
    assert ks_pvalue(rng.uniform(-1, 1, 5000) * 0.9, -1, 1)[1] < SIGNIFICANCE  # too narrow
    assert ks_pvalue(rng.normal(0, 1 / np.sqrt(3), 5000), -1, 1)[1] < SIGNIFICANCE  # same variance, not uniform
    statistic, _ = ks_pvalue(np.array([0.0]), -1, 1)
    assert statistic == pytest.approx(0.5)


@pytest.mark.slow
def test_keras_glorot_uniform_passes_the_same_tests():
    from grader.oracle import keras_calls as keras_reference  # noqa: F401 - TensorFlow with the recorded settings
    import keras

    for fan_in, fan_out in CASES:
        seed = load_references().seed(f"glorot.{fan_in}x{fan_out}")
        w = keras.ops.convert_to_numpy(keras.initializers.GlorotUniform(seed=seed)((fan_in, fan_out)))
        bound = limit(fan_in, fan_out)
        assert np.max(np.abs(w)) <= bound and np.max(np.abs(w)) > 0.9 * bound
        assert ks_pvalue(w, -bound, bound)[1] >= SIGNIFICANCE
