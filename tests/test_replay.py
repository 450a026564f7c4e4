"""Replaying recorded grading inputs reaches the verdict Hypothesis would reach."""

from __future__ import annotations

import hypothesis
import numpy as np

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
    replayed = grade_submission(PROJECT / "solutions", course)
    oracle = Oracle.from_file(DATA / "oracle.npz")
    generated = grade_submission(PROJECT / "solutions", course, oracle=oracle, recording=Recording())
    assert replayed.summary() == generated.summary()
    assert oracle.misses == 0  # Hypothesis drew exactly the recorded inputs


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
