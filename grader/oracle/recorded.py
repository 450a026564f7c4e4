"""The oracle: what Keras computes for a grading input, recorded or computed live.

The grading inputs are deterministic (a derandomized Hypothesis profile), so the Keras
outputs for the inputs a correct submission meets are recorded when the references are
built. A lookup is keyed by a hash of the operation, its arrays (bytes, dtype, shape) and
its parameters; only an input never recorded (a shrunk failing example) needs TensorFlow
(in this process, or in the class run's one Keras service: grader.oracle.service). The oracle runs in the grader's process only.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path

import numpy as np

from grader.oracle import service as keras_service
from grader.oracle.array_bundle import load_bundle, save_bundle


LIVE_RESULTS = 4096


_STARTED: dict[tuple[str, str], object] = {}
"""The key's hash of an operation and its parameters, before the arrays, by (operation, repr of the parameters):
a check asks for the same few thousands of times. repr, unlike ==, tells 1, 1.0 and True apart."""


def _key(operation: str, arrays: tuple, params: dict) -> str:
    name = (operation, repr(sorted(params.items())))
    started = _STARTED.get(name)
    if started is None:
        if len(_STARTED) >= LIVE_RESULTS:  # parameters drawn by a check: many, each used once
            _STARTED.clear()
        started = _STARTED[name] = hashlib.sha256(json.dumps([operation, params], sort_keys=True).encode())
    digest = started.copy()
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:32]


class Oracle:
    """Keras results, looked up in a recording first; ``misses`` counts live computations."""

    def __init__(self, recorded: dict[str, np.ndarray] | None = None, *, record: bool = False):
        self.recorded = recorded if recorded is not None else {}
        self.record = record
        self.misses = 0
        self.unavailable = False
        """True once a live answer was needed and TensorFlow is not installed (keras_service.KerasUnavailable)."""
        self._live: OrderedDict[str, object] = OrderedDict()
        """The last LIVE_RESULTS live results: the smallest failing inputs and the hints' Keras answers recur
        from one student to the next (a grading process keeps its oracle for the whole run)."""

    @classmethod
    def from_file(cls, path: Path) -> Oracle:
        """An oracle backed by a recording saved with save(); a missing file means an empty one."""
        if not path.is_file():
            return cls()
        return cls(load_bundle(path)[0])

    def save(self, path: Path) -> None:
        """Write the recording (sorted, so the file is reproducible)."""
        save_bundle(path, self.recorded)

    def __call__(self, function, *arrays: np.ndarray, **params) -> np.ndarray:
        """What ``function`` gives for these arrays and parameters: a module-level function of a check module that
        calls Keras (imported lazily inside it), so a new exercise's oracle is written once, beside its checks. Its
        answers are recorded by ``grader references build`` like every other; it runs in the grader's Keras process,
        never the student's."""
        return self._lookup(f"{function.__module__}:{function.__qualname__}", arrays, params)

    def softmax(self, z: np.ndarray, axis: int = -1) -> np.ndarray:
        """keras.ops.softmax(z, axis)."""
        return self._lookup("softmax", (z,), {"axis": axis})

    def dense(self, x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str | None) -> np.ndarray:
        """keras.layers.Dense(activation) with weights [W, b], applied to x."""
        return self._lookup("dense", (x, W, b), {"activation": activation})

    def categorical_accuracy(self, y_pred: np.ndarray, y_true: np.ndarray) -> float:
        """keras.metrics.categorical_accuracy averaged over the batch."""
        return float(self._lookup("categorical_accuracy", (y_pred, y_true), {}))

    def to_categorical(self, labels: np.ndarray, num_classes: int) -> np.ndarray:
        """keras.utils.to_categorical(labels, num_classes)."""
        return self._lookup("to_categorical", (labels,), {"num_classes": num_classes})

    def categorical_crossentropy(self, y_true: np.ndarray, y_pred: np.ndarray, from_logits: bool = False) -> float:
        """keras.losses.categorical_crossentropy averaged over the batch (of probabilities, or of logits)."""
        params = {"from_logits": True} if from_logits else {}
        return float(self._lookup("categorical_crossentropy", (y_true, y_pred), params))

    def crossentropy_gradients(self, x, W, b, y_true) -> list[np.ndarray]:
        """[dW, db] from tf.GradientTape of Keras' mean categorical cross-entropy."""
        return self._lookup_list("crossentropy_gradients", (x, W, b, y_true), {}, 2)

    def sgd_step(self, params: list, grads: list, learning_rate: float) -> list[np.ndarray]:
        """The parameters after one keras.optimizers.SGD step."""
        count = len(params)
        return self._lookup_list("sgd_step", (*params, *grads), {"learning_rate": learning_rate, "count": count}, count)

    def relu(self, z: np.ndarray) -> np.ndarray:
        """keras.activations.relu(z)."""
        return self._lookup("relu", (z,), {})

    def mlp(self, x: np.ndarray, params: list) -> np.ndarray:
        """A Keras Dense(relu) -> Dense(softmax) model with weights ``params`` = [W1, b1, W2, b2], applied to x."""
        return self._lookup("mlp", (x, *params), {})

    def fit_epoch(self, W, b, x, y, learning_rate: float, batch_size: int) -> list[np.ndarray]:
        """[W, b] after one epoch of Keras model.fit with plain SGD, in order (shuffle=False)."""
        return self._lookup_list("fit_epoch", (W, b, x, y),
                                 {"learning_rate": learning_rate, "batch_size": batch_size}, 2)

    def _lookup_list(self, operation: str, arrays: tuple, params: dict, count: int) -> list[np.ndarray]:
        """A result that is a list of ``count`` arrays, recorded item by item."""
        key = _key(operation, arrays, params)
        names = [f"{key}.{index}" for index in range(count)]
        if all(name in self.recorded for name in names):
            return [self.recorded[name] for name in names]
        result = self._computed(key, lambda: [np.asarray(item) for item in keras_service.compute(operation, arrays, params)])
        if self.record:
            self.recorded.update(zip(names, result))
        return result

    def _lookup(self, operation: str, arrays: tuple, params: dict) -> np.ndarray:
        key = _key(operation, arrays, params)
        if key in self.recorded:
            return self.recorded[key]
        result = self._computed(key, lambda: np.asarray(keras_service.compute(operation, arrays, params)))
        if self.record:
            self.recorded[key] = result
        return result

    def _computed(self, key: str, compute):
        """A live result: computed by Keras, or the same one computed for an earlier student."""
        self.misses += 1
        if key in self._live:
            self._live.move_to_end(key)
            return self._live[key]
        try:
            result = compute()
        except keras_service.KerasUnavailable:
            self.unavailable = True
            raise
        self._live[key] = result
        if len(self._live) > LIVE_RESULTS:
            self._live.popitem(last=False)
        return result
