"""Real MNIST, found offline: the Keras cache, a configured file, or the bundled sample.

Loading order (the first that exists wins):
1. the Keras cache, ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras/datasets/mnist.npz``);
2. a path from course.yaml (``data.mnist``) or the ``GRADER_MNIST`` environment variable:
   an ``mnist.npz`` like Keras's, or a folder with the four original IDX files (``.gz`` or not);
3. the bundled sample: 5,000 real MNIST training images (see scripts/make_mnist_sample.py),
   split 4,000 for training and 1,000 held out. A student's handout holds the 4,000 only: the
   course secret's MNIST batches come from the held-out ones (grader.references.secret).
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.errors import DataError

SAMPLE = Path(__file__).parents[1] / "data" / "mnist_sample.npz"
SAMPLE_TRAIN = 4000
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


@dataclass(frozen=True)
class Mnist:
    """MNIST as Keras gives it: uint8 images (n, 28, 28) and uint8 labels (n,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    origin: str
    """Where the data came from, for reports and the fixture manifest."""


def keras_cache_path() -> Path:
    """Where keras.datasets.mnist.load_data() keeps its download."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    return home / "datasets" / "mnist.npz"


def load_mnist(configured: str | Path | None = None, *, use_cache: bool = True) -> Mnist:
    """Load MNIST from the first source that exists (see the module docstring)."""
    if use_cache and keras_cache_path().is_file():
        return _load_npz(keras_cache_path())
    configured = configured or os.environ.get("GRADER_MNIST")
    if configured:
        path = Path(configured).expanduser()
        if path.is_dir():
            return _load_idx_folder(path)
        if path.is_file():
            return _load_npz(path)
        raise DataError(
            f"MNIST was configured at {path}, but nothing is there. "
            "Give an mnist.npz file or a folder with the four IDX files, or unset it to use the bundled sample."
        )
    return load_sample()


def load_sample() -> Mnist:
    """The bundled sample of real MNIST, split 4,000 / 1,000 (a handout's has no held-out images)."""
    with np.load(SAMPLE) as data:
        x, y = data["x"], data["y"]
        origin = f"bundled sample ({data['source']})"
    return Mnist(x[:SAMPLE_TRAIN], y[:SAMPLE_TRAIN], x[SAMPLE_TRAIN:], y[SAMPLE_TRAIN:], origin)


def _load_npz(path: Path) -> Mnist:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in IDX_FILES}
    except (OSError, ValueError, KeyError) as error:
        raise DataError(
            f"{path} is not a readable MNIST npz ({error}); it needs arrays x_train, y_train, x_test, y_test."
        ) from error
    return Mnist(**arrays, origin=str(path))


def _load_idx_folder(folder: Path) -> Mnist:
    arrays = {}
    for key, stem in IDX_FILES.items():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise DataError(f"{folder} has no {stem} (or {stem}.gz): MNIST's IDX folder needs all four files.")
        arrays[key] = read_idx(found)
    return Mnist(**arrays, origin=str(folder))


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (LeCun's MNIST format) of unsigned bytes."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:
        raw = stream.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path} is not an IDX file of unsigned bytes (bad magic number).")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise DataError(f"{path} is truncated: its header says {shape}, it holds {data.size} values.")
    return data.reshape(shape)


def flatten_images(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) uint8 pixels to (n, 784) float32 in [0, 1], the tutorial's preprocessing."""
    return images.reshape(len(images), -1).astype("float32") / 255

