"""The reference fixtures on disk: the trained model's weights, the MNIST batches, and what Keras said.

Files in grader/references/data/ (written by ``grader references build``):
- model.npz: W (784, 10) and b (10,) of the trained Dense(10, softmax);
- public.npz / hidden.npz: MNIST batches with Keras' logits, model.predict, and
  model.evaluate loss and accuracy per batch; hidden.npz is never given to students;
- oracle.npz: Keras' outputs for the grading inputs (see grader.oracle);
- examples.npz: the grading inputs themselves (see grader.replay);
- manifest.json: versions, settings, data origin, seed and a content hash of each file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from grader.errors import DataError

DATA = Path(__file__).parent / "data"
FILES = ("model.npz", "public.npz", "hidden.npz", "oracle.npz", "examples.npz")


@dataclass(frozen=True)
class BatchSet:
    """MNIST batches stacked: k batches of n images. Every array's first axis is the batch index."""

    x: np.ndarray  # (k, n, 784) float32 pixels in [0, 1]
    y: np.ndarray  # (k, n, 10) float32 one-hot labels
    logits: np.ndarray  # (k, n, 10) Keras Dense(linear) with the model's W, b
    predict: np.ndarray  # (k, n, 10) model.predict
    loss: np.ndarray  # (k,) model.evaluate categorical cross-entropy
    accuracy: np.ndarray  # (k,) model.evaluate categorical accuracy

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class References:
    W: np.ndarray
    b: np.ndarray
    public: BatchSet
    hidden: BatchSet | None
    """None where hidden.npz is absent: in a student's handout."""


def content_hash(path: Path) -> str:
    """sha256 over the arrays of an npz file (names, dtypes, shapes and bytes), independent of compression."""
    digest = hashlib.sha256()
    with np.load(path, allow_pickle=False) as data:
        for name in sorted(data.files):
            array = data[name]
            digest.update(f"{name}{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
    return digest.hexdigest()


def save_batches(path: Path, batches: BatchSet) -> None:
    np.savez_compressed(path, **{f.name: getattr(batches, f.name) for f in fields(BatchSet)})


def load_batches(path: Path) -> BatchSet:
    with np.load(path, allow_pickle=False) as data:
        return BatchSet(**{f.name: data[f.name] for f in fields(BatchSet)})


def load_references(folder: Path = DATA) -> References:
    """Load the fixtures; hidden batches only where hidden.npz exists."""
    try:
        with np.load(folder / "model.npz", allow_pickle=False) as model:
            W, b = model["W"], model["b"]
        public = load_batches(folder / "public.npz")
    except (OSError, KeyError) as error:
        raise DataError(
            f"The reference fixtures in {folder} are missing or unreadable ({error}). "
            "Rebuild them with: grader references build"
        ) from None
    hidden_path = folder / "hidden.npz"
    hidden = load_batches(hidden_path) if hidden_path.is_file() else None
    return References(W, b, public, hidden)


def read_manifest(folder: Path = DATA) -> dict:
    return json.loads((folder / "manifest.json").read_text())
