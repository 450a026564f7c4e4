"""The stored reference fixtures are what the installed Keras computes, and fit to grade with."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import PROJECT, SECRET
from grader.references.build import MIN_MARGIN, checks_digest
from grader.references.settle import settle
from grader.references.store import DATA, PUBLIC_FILES, content_hash, load_references, read_manifest
from grader.references.secret import load_secret, problem_with


def test_manifest_hashes_match_the_files():
    manifest = read_manifest()
    assert {name: content_hash(DATA / name) for name in PUBLIC_FILES} == manifest["sha256"]
    assert manifest["versions"]["TF_ENABLE_ONEDNN_OPTS"] == "0"
    secret = read_manifest(SECRET)
    assert {name: content_hash(SECRET / name) for name in secret["sha256"]} == secret["sha256"]
    assert secret["model_sha256"] == manifest["sha256"]["model.npz"]
    # recorded for the checks as they are: after editing grader/checks or strategies.py, run grader references build
    # and grader secret init --folder tests/secret
    assert manifest["checks_sha256"] == secret["checks_sha256"] == checks_digest()


def test_weights_are_trained_and_batches_have_clear_margins():
    public, grade_time = load_references(), load_secret(SECRET)
    assert public.W.shape == (784, 10) and public.b.shape == (10,)
    assert np.abs(public.W).max() > 0.05 and np.abs(public.b).max() > 0.01  # not the zero initial weights
    assert public.hidden is None and not public.secret and grade_time.secret
    for batches in (public.visible, grade_time.visible, grade_time.hidden):
        top = np.sort(batches.predict, axis=-1)
        assert (top[..., -1] - top[..., -2]).min() >= MIN_MARGIN
        assert 0.5 < batches.accuracy.min() and batches.accuracy.max() < 1.0  # some right, some wrong


def test_the_grade_time_inputs_are_none_of_the_public_ones(course):
    public, grade_time = load_references(), load_secret(SECRET)
    public_images = {row.tobytes() for batch in public.visible.x for row in batch}
    sample = np.load(DATA.parent.parent / "data" / "mnist_sample.npz")["x"].reshape(-1, 784).astype("float32") / 255
    sample_images = {row.tobytes() for row in sample}
    for batches in (grade_time.visible, grade_time.hidden):
        rows = [row.tobytes() for batch in batches.x for row in batch]
        assert not public_images.intersection(rows) and not sample_images.intersection(rows)  # disguised by the key
    assert not np.array_equal(grade_time.cases.mlp_params[0], public.cases.mlp_params[0])
    assert not np.array_equal(grade_time.cases.mnist_epoch.W, public.cases.mnist_epoch.W)
    assert public.seed("softmax.matches_keras") != grade_time.seed("softmax.matches_keras")
    assert problem_with(SECRET, course) is None


@pytest.mark.slow
def test_stored_predictions_are_what_keras_computes_now():
    from grader.oracle import keras_calls as keras_reference  # noqa: F401 - sets the recorded TF settings
    import keras

    refs = load_references()
    inputs = keras.Input(shape=(784,))
    dense = keras.layers.Dense(10, activation="softmax")
    model = keras.Model(inputs, dense(inputs))
    dense.set_weights([refs.W, refs.b])
    model.compile(loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    grade_time = load_secret(SECRET)
    for batches in (refs.visible, grade_time.visible, grade_time.hidden):
        for x, y, predict, loss, accuracy in zip(batches.x, batches.y, batches.predict, batches.loss, batches.accuracy):
            np.testing.assert_allclose(model.predict(x, verbose=0), predict, rtol=1e-5, atol=1e-7)
            result = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
            assert result["categorical_accuracy"] == pytest.approx(accuracy, abs=1e-7)
            assert result["loss"] == pytest.approx(loss, rel=1e-5)


@pytest.mark.slow
def test_two_fresh_builds_in_fresh_processes_give_the_same_files(tmp_path):
    """Seeded, deterministic training and recording: two builds into empty folders, each in its own process (no
    state shared through TensorFlow or caches), give byte-identical files."""
    script = ("import sys; from pathlib import Path; from grader.course import load_course; "
              "from grader.references.build import build_references; "
              "build_references(load_course(), out=Path(sys.argv[1]), use_keras_cache=False)")
    for name in ("first", "second"):
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], capture_output=True, text=True,
                              timeout=900, cwd=PROJECT)
        assert done.returncode == 0, done.stderr[-3000:]
    files = sorted(path.name for path in (tmp_path / "first").iterdir())
    assert files == sorted(path.name for path in (tmp_path / "second").iterdir())
    assert set(PUBLIC_FILES) <= set(files)
    for name in files:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name


def test_a_rebuild_keeps_files_that_differ_by_a_float32_step(tmp_path):
    """Another CPU rounds a last bit differently: the rebuilt file would differ by one float32 step. The stored file
    stays byte for byte (so the grading's fingerprint, and every grade, stays); a real difference replaces it."""
    stored = tmp_path / "visible.npz"
    with np.load(DATA / "visible.npz") as data:
        arrays = {name: data[name] for name in data.files}
    np.savez_compressed(stored, **arrays)
    before = stored.read_bytes()
    one_step = dict(arrays, predict=np.nextafter(arrays["predict"], np.float32(2)))
    assert settle(stored, lambda path: np.savez_compressed(path, **one_step)) is True
    assert stored.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["visible.npz"]
    changed = dict(arrays, predict=arrays["predict"] * np.float32(1.001))
    assert settle(stored, lambda path: np.savez_compressed(path, **changed)) is False
    with np.load(stored) as data:
        np.testing.assert_array_equal(data["predict"], changed["predict"])


def test_a_rebuild_keeps_recorded_inputs_only_when_they_are_the_very_same_bits(tmp_path):
    """The recorded Keras answers are found by their inputs' exact bytes: an input one step (or one sign of zero)
    away from the stored one replaces it, so that inputs and answers are recorded together."""
    stored = tmp_path / "examples.npz"
    inputs = {"z": np.array([[0.0, 0.25], [1.5, -3.0]], np.float32)}
    np.savez_compressed(stored, **inputs)
    assert settle(stored, lambda path: np.savez_compressed(path, **inputs), tolerance=None) is True
    for other in (np.nextafter(inputs["z"], np.float32(9)), np.array([[-0.0, 0.25], [1.5, -3.0]], np.float32)):
        assert settle(stored, lambda path, other=other: np.savez_compressed(path, z=other), tolerance=None) is False
        with np.load(stored) as data:
            assert data["z"].tobytes() == other.tobytes()


@pytest.mark.slow
def test_rebuilding_gives_the_stored_fixtures(course, tmp_path):
    """Training again gives the same model up to a float32 step (another CPU rounds differently); then the stored
    weights are kept, and every file holding the same numbers is kept (grader.references.settle): a rebuild in
    place changes no byte, so no class is regraded for nothing."""
    from grader.references.build import build_references

    for name in PUBLIC_FILES:
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    manifest = build_references(course, out=tmp_path, use_keras_cache=False)
    stored = read_manifest()
    assert manifest["mnist"] == stored["mnist"] and manifest["training"] == stored["training"]
    assert manifest["sha256"] == stored["sha256"]
    for name in PUBLIC_FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith(".")]  # no staged file left


def test_grade_time_inputs_made_for_other_checks_are_refused(course, tmp_path):
    for name in ("secret.key", "manifest.json"):
        shutil.copy(SECRET / name, tmp_path / name)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    first = course.exercises()[0]
    manifest["checks"][first.name].remove(next(iter(first.checks)))
    manifest["max_examples"] += 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    problem = problem_with(tmp_path, course)
    assert f"grading.max_examples is now {course.grading.max_examples}" in problem
    assert f"no Keras answers for {first.name}.{next(iter(first.checks))}" in problem
    assert "Make them again with: grader secret init" in problem
