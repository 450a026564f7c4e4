"""Replaying recorded grading inputs reaches the verdict Hypothesis would reach."""

from __future__ import annotations

import os

import hypothesis
import numpy as np
import pytest

from conftest import PROJECT
from grader.grading.submission import grade_submission
from grader.oracle.recorded import Oracle
from grader.references.store import DATA
from grader.grading.replay import Recording


def test_recording_round_trips(tmp_path):
    recording = Recording(record=True, max_examples=3)
    recording.add("softmax.matches_keras", (np.ones((2, 2), np.float16),))
    recording.add("dense.linear", (np.zeros(3), np.eye(3), np.ones(3), None))
    recording.add("dense.linear", (np.zeros(3), np.eye(3), np.ones(3), "relu"))
    recording.save(tmp_path / "r.npz")
    loaded = Recording.load(tmp_path / "r.npz")
    assert loaded.usable(3) and not loaded.usable(4)
    assert loaded.examples["dense.linear"][1][3] == "relu"
    assert loaded.examples["softmax.matches_keras"][0][0].dtype == np.float16


def test_stored_recording_matches_this_hypothesis_and_course(course):
    recording = Recording.load(DATA / "examples.npz")
    assert recording.hypothesis_version == hypothesis.__version__
    assert recording.usable(course.grading.max_examples)


def test_replay_and_hypothesis_give_the_same_verdict(course):
    replay_oracle = Oracle.from_file(DATA / "oracle.npz")
    replayed = grade_submission(PROJECT / "solutions", course, oracle=replay_oracle)
    assert replay_oracle.misses == 0  # every recorded input has its recorded Keras answer
    oracle = Oracle.from_file(DATA / "oracle.npz")
    generated = grade_submission(PROJECT / "solutions", course, oracle=oracle, recording=Recording())
    assert replayed.summary() == generated.summary()
    assert oracle.misses == 0  # Hypothesis drew exactly the recorded inputs


DRAW_EVERY_CHECK = """
import hashlib, importlib, pkgutil, sys
import numpy as np
from hypothesis import given
import grader.checks
from grader.checks.base import given_strategies
from grader.grading import strategies

digest = hashlib.sha256()

def add(value):
    if isinstance(value, np.ndarray):
        digest.update(f"{value.dtype.str}{value.shape}".encode() + value.tobytes())
    elif isinstance(value, (tuple, list)):
        for item in value:
            add(item)
    else:
        digest.update(repr(value).encode())

for info in sorted(pkgutil.iter_modules(grader.checks.__path__), key=lambda info: info.name):
    module = importlib.import_module(f"grader.checks.{info.name}")
    for name, check in sorted(vars(module).items()):
        handle = getattr(check, "hypothesis", None)
        if not name.startswith("test_") or handle is None:
            continue
        digest.update(f"{info.name}.{name}".encode())
        drawn = strategies.examples(tuple(given_strategies(check).values()))

        @strategies.grading_settings(int(sys.argv[1]))
        @given(drawn)
        def draw(example):
            add(example)

        draw()
print(digest.hexdigest())
"""


def test_the_grading_inputs_are_the_same_bits_on_every_cpu():
    """NumPy runs other code on other CPUs (its SIMD paths: AVX2, AVX-512...), which can round differently in the
    last bit: a check's inputs must not depend on it, or the Keras answers recorded for them on one machine are
    not found on another (grader.grading.strategies). Every check's draws, with NumPy's fastest paths for this CPU
    and with NumPy held to its baseline."""
    import subprocess
    import sys

    try:
        from numpy._core import _multiarray_umath as simd
    except ImportError:  # NumPy 1
        from numpy.core import _multiarray_umath as simd
    dispatched = [feature for feature in simd.__cpu_dispatch__ if simd.__cpu_features__.get(feature)]

    def digest(env: dict) -> str:
        return subprocess.run([sys.executable, "-c", DRAW_EVERY_CHECK, "30"], env=env, capture_output=True,
                              text=True, check=True).stdout.strip()

    if not dispatched:
        pytest.skip("NumPy runs only its baseline code on this CPU: there is no other path to compare with")
    fastest = digest(dict(os.environ))
    assert fastest == digest(dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(dispatched)))


def test_grading_inputs_do_not_depend_on_the_modules_loaded(tmp_path, monkeypatch):
    """Hypothesis mixes constants from local modules into its draws; grading switches that off (grader.grading.strategies)."""
    from hypothesis import given

    from grader.grading import strategies

    def draw() -> list[bytes]:
        seen = []

        @strategies.grading_settings(60)
        @given(strategies.logits())
        def collect(z):
            seen.append(z.tobytes())

        collect()
        return seen

    before = draw()
    (tmp_path / "module_with_constants.py").write_text(  # constants exact in float16, within the logits' range
        "def f(x):\n    if x > 2.5:\n        return x * 0.375 - 7.75\n    return x + 1.125 + 3.625 - 5.875 + 9.5\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import module_with_constants  # noqa: F401 - a local module, as a student's or the grader's own would be

    assert draw() == before
