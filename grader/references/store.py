"""The reference fixtures on disk: the trained model's weights, the MNIST batches, fixed cases, what Keras said.

Two sets, built the same way (grader.references.build) from different seeds:
- the public set, in grader/references/data/, shipped to students for their own ``grader check``:
  model.npz (W (784, 10) and b (10,) of the trained Dense(10, softmax)), visible.npz (MNIST
  batches with Keras' logits, model.predict and model.evaluate's loss and accuracy), cases.npz
  (the fixed inputs of the checks Hypothesis does not draw), oracle.npz (Keras' outputs for the
  grading inputs, see grader.oracle.recorded), examples.npz (the grading inputs, see grader.grading.replay) and
  manifest.json (versions, settings, data origin, and a content hash of each file);
- the secret set, in the course's secret folder (grader.references.secret), never shipped: the same files
  but model.npz, plus hidden.npz and secret.key. Its inputs come from the course's secret key, so
  nothing a student holds says what they are.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from grader.errors import DataError

DATA = Path(__file__).parent / "data"
PUBLIC_KEY = b"public"
"""The key of the public set: its seeds are as public as the kit's code."""
INPUT_FILES = ("visible.npz", "cases.npz", "oracle.npz", "examples.npz")
PUBLIC_FILES = ("model.npz", *INPUT_FILES)


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

    def __iter__(self):
        """Each batch on its own, in order: its x, y, logits and predict, and its loss and accuracy as floats."""
        for index in range(len(self)):
            yield Batch(index, self.x[index], self.y[index], self.logits[index], self.predict[index],
                        float(self.loss[index]), float(self.accuracy[index]))


@dataclass(frozen=True)
class Batch:
    """One MNIST reference batch of n images: what Keras' trained model gives on it."""

    index: int
    x: np.ndarray  # (n, 784) float32 pixels in [0, 1]
    y: np.ndarray  # (n, 10) float32 one-hot labels
    logits: np.ndarray  # (n, 10) Keras Dense(linear) with the model's W, b
    predict: np.ndarray  # (n, 10) model.predict
    loss: float  # model.evaluate categorical cross-entropy
    accuracy: float  # model.evaluate categorical accuracy


@dataclass(frozen=True)
class EpochCase:
    """One input of train_epoch: start weights, data, and the settings of Keras' fit."""

    name: str
    W: np.ndarray
    b: np.ndarray
    x: np.ndarray
    y: np.ndarray
    learning_rate: float
    batch_size: int


@dataclass(frozen=True)
class Cases:
    """The fixed inputs of the checks that Hypothesis does not draw, made with Keras with the set's seeds."""

    mlp_params: tuple[np.ndarray, ...]
    """[W1, b1, W2, b2] for 784 -> 20 -> 10: Keras' GlorotUniform kernels and small biases."""
    small_epochs: tuple[EpochCase, ...]
    """Small problems whose last batch is short."""
    mnist_epoch: EpochCase
    """512 MNIST images in batches of 32."""


@dataclass(frozen=True)
class References:
    """One set of references: the model, the MNIST batches, the fixed cases, and the key its seeds come from."""

    W: np.ndarray
    b: np.ndarray
    visible: BatchSet
    """The batches of the visible MNIST checks (the public ones, or the secret set's own)."""
    hidden: BatchSet | None
    """The batches of the hidden checks: only in the secret set."""
    cases: Cases
    key: bytes = PUBLIC_KEY

    @property
    def secret(self) -> bool:
        return self.key != PUBLIC_KEY

    def seed(self, name: str) -> int:
        """A seed for ``name`` (a check, a case) from this set's key."""
        return key_seed(self.key, name)


def key_seed(key: bytes, name: str) -> int:
    """A 32-bit seed for ``name`` from ``key``: the same for every student, unknowable without the key."""
    return int.from_bytes(hmac.new(key, name.encode(), hashlib.sha256).digest()[:4], "big")


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


def save_cases(path: Path, cases: Cases) -> None:
    arrays = {f"mlp_{i}": param for i, param in enumerate(cases.mlp_params)}
    for index, case in enumerate((*cases.small_epochs, cases.mnist_epoch)):
        arrays.update({f"epoch{index}_{name}": getattr(case, name) for name in ("W", "b", "x", "y")})
        arrays[f"epoch{index}_settings"] = np.array([case.learning_rate, case.batch_size])
        arrays[f"epoch{index}_name"] = np.array(case.name)
    np.savez_compressed(path, **arrays)


def load_cases(path: Path) -> Cases:
    with np.load(path, allow_pickle=False) as data:
        mlp = tuple(data[f"mlp_{i}"] for i in range(4))
        epochs = []
        index = 0
        while f"epoch{index}_W" in data.files:
            learning_rate, batch_size = data[f"epoch{index}_settings"]
            epochs.append(EpochCase(str(data[f"epoch{index}_name"]), *(data[f"epoch{index}_{name}"] for name in "Wbxy"),
                                    float(learning_rate), int(batch_size)))
            index += 1
    return Cases(mlp, tuple(epochs[:-1]), epochs[-1])


def load_model(folder: Path = DATA) -> tuple[np.ndarray, np.ndarray]:
    """W and b of the trained reference model."""
    with np.load(folder / "model.npz", allow_pickle=False) as model:
        return model["W"], model["b"]


def has_hidden(folder: Path) -> bool:
    """Whether the set of references in FOLDER has the hidden checks' batches (a secret set does)."""
    return (folder / "hidden.npz").is_file()


def load_references(folder: Path = DATA, key: bytes = PUBLIC_KEY) -> References:
    """Load a set of references: the public one (default), or a secret one with its key."""
    try:
        W, b = load_model()
        visible = load_batches(folder / "visible.npz")
        cases = load_cases(folder / "cases.npz")
        hidden = load_batches(folder / "hidden.npz") if has_hidden(folder) else None
    except (OSError, KeyError, ValueError) as error:
        rebuild = "grader secret init" if key != PUBLIC_KEY else "grader references build"
        raise DataError(f"The reference fixtures in {folder} are missing or unreadable ({error}). "
                        f"Rebuild them with: {rebuild}") from None
    return References(W, b, visible, hidden, cases, key)


def read_manifest(folder: Path = DATA) -> dict:
    return json.loads((folder / "manifest.json").read_text())
