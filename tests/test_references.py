"""The stored reference fixtures are what the installed Keras computes, and fit to grade with."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SECRET
from grader.array_bundle import load_bundle
from grader.references.build import MIN_MARGIN
from grader.references.store import DATA, PUBLIC_FILES, content_hash, load_references, read_manifest
from grader.secret import load_secret, problem_with


def test_manifest_hashes_match_the_files():
    manifest = read_manifest()
    assert {name: content_hash(DATA / name) for name in PUBLIC_FILES} == manifest["sha256"]
    assert manifest["versions"]["TF_ENABLE_ONEDNN_OPTS"] == "0"
    secret = read_manifest(SECRET)
    assert {name: content_hash(SECRET / name) for name in secret["sha256"]} == secret["sha256"]
    assert secret["model_sha256"] == manifest["sha256"]["model.npz"]


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
    from grader import keras_reference  # noqa: F401 - sets the recorded TF settings
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
def test_rebuilding_gives_the_stored_fixtures(course, tmp_path):
    """Training again gives the same model up to a float32 step (another CPU rounds differently); then the stored
    weights are kept, so every file built from them is the same, and no class is regraded for nothing."""
    from grader.references.build import build_references

    (tmp_path / "model.npz").write_bytes((DATA / "model.npz").read_bytes())
    manifest = build_references(course, out=tmp_path, use_keras_cache=False)
    stored = read_manifest()
    assert manifest["mnist"] == stored["mnist"] and manifest["training"] == stored["training"]
    assert (tmp_path / "model.npz").read_bytes() == (DATA / "model.npz").read_bytes()
    for name in ("visible.npz", "cases.npz"):
        with np.load(tmp_path / name) as new, np.load(DATA / name) as old:
            assert new.files == old.files
            for key in old.files:
                if old[key].dtype.kind in "fiu":
                    np.testing.assert_allclose(new[key], old[key], rtol=1e-5, atol=1e-6, err_msg=f"{name}:{key}")
    for name in ("oracle.npz", "examples.npz"):
        new, new_meta = load_bundle(tmp_path / name)
        old, old_meta = load_bundle(DATA / name)
        assert new.keys() == old.keys() and new_meta == old_meta
        for key in old:
            np.testing.assert_allclose(new[key], old[key], rtol=1e-6, atol=1e-7, err_msg=f"{name}:{key}")
