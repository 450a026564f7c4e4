"""The stored reference fixtures are what the installed Keras computes, and fit to grade with."""

from __future__ import annotations

import numpy as np
import pytest

from grader.array_bundle import load_bundle
from grader.references.build import MIN_MARGIN
from grader.references.store import DATA, FILES, content_hash, load_references, read_manifest


def test_manifest_hashes_match_the_files():
    manifest = read_manifest()
    assert {name: content_hash(DATA / name) for name in FILES} == manifest["sha256"]
    assert manifest["versions"]["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_weights_are_trained_and_batches_have_clear_margins():
    refs = load_references()
    assert refs.W.shape == (784, 10) and refs.b.shape == (10,)
    assert np.abs(refs.W).max() > 0.05 and np.abs(refs.b).max() > 0.01  # not the zero initial weights
    for batches in (refs.public, refs.hidden):
        top = np.sort(batches.predict, axis=-1)
        assert (top[..., -1] - top[..., -2]).min() >= MIN_MARGIN
        assert 0.6 < batches.accuracy.min() and batches.accuracy.max() < 1.0  # some right, some wrong
    assert not np.array_equal(refs.public.x[0], refs.hidden.x[0])


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
    for batches in (refs.public, refs.hidden):
        for x, y, predict, loss, accuracy in zip(batches.x, batches.y, batches.predict, batches.loss, batches.accuracy):
            np.testing.assert_allclose(model.predict(x, verbose=0), predict, rtol=1e-5, atol=1e-7)
            result = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
            assert result["categorical_accuracy"] == pytest.approx(accuracy, abs=1e-7)
            assert result["loss"] == pytest.approx(loss, rel=1e-5)


@pytest.mark.slow
def test_rebuilding_gives_the_stored_fixtures(course, tmp_path):
    from grader.references.build import build_references

    manifest = build_references(course, out=tmp_path, use_keras_cache=False)
    stored = read_manifest()
    assert manifest["mnist"] == stored["mnist"] and manifest["training"] == stored["training"]
    for name in ("model.npz", "public.npz", "hidden.npz"):
        with np.load(tmp_path / name) as new, np.load(DATA / name) as old:
            assert new.files == old.files
            for key in old.files:
                np.testing.assert_allclose(new[key], old[key], rtol=1e-5, atol=1e-6, err_msg=f"{name}:{key}")
    for name in ("oracle.npz", "examples.npz"):
        new, new_meta = load_bundle(tmp_path / name)
        old, old_meta = load_bundle(DATA / name)
        assert new.keys() == old.keys() and new_meta == old_meta
        for key in old:
            np.testing.assert_allclose(new[key], old[key], rtol=1e-6, atol=1e-7, err_msg=f"{name}:{key}")
