"""Live Keras: the oracle's ground truth, computed by real TensorFlow/Keras.

Importing this module imports TensorFlow (2-4 s, ~550 MB), so the grader imports it only
when a result is not already recorded (see grader.oracle.recorded). The environment settings
below are forced, not defaulted, because they change results: oneDNN on or off moves
float32 outputs by ~2e-7. The reference manifest records them.
"""

import contextlib
import functools
import os
import warnings

TF_SETTINGS = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0", "KERAS_BACKEND": "tensorflow"}
os.environ.update(TF_SETTINGS)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# TensorFlow's Python warnings say that tf.function retraces: the oracle builds a small model per call on purpose
# (see _built), so they would only be noise in `grader build` and in a class run's log. Errors still show.
tf.get_logger().setLevel("ERROR")


@contextlib.contextmanager
def _no_size_one_axis_warning():
    """Keras warns about softmax over an axis of size 1; the grader asks for such inputs on purpose."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="You are using a softmax over axis", category=UserWarning)
        yield


BUILDS_PER_SESSION = 200
_builds = [0]


def _built() -> None:
    """Count a Keras object built; every BUILDS_PER_SESSION, start a fresh Keras session.

    Keras keeps global state for every layer, model and optimizer ever made; a class run
    that shrinks many failing examples would otherwise grow by hundreds of MB. The cached
    layers go with the old session. Results do not depend on it (weights are always set).
    """
    _builds[0] += 1
    if _builds[0] % BUILDS_PER_SESSION == 0:
        _dense_layer.cache_clear()
        _mlp_model.cache_clear()
        keras.backend.clear_session()


@functools.lru_cache(maxsize=32)
def _dense_layer(inputs: int, units: int, activation: str | None, dtype: str):
    _built()
    layer = keras.layers.Dense(units, activation=activation, dtype=dtype)
    layer.build((None, inputs))
    return layer


@functools.lru_cache(maxsize=8)
def _mlp_model(inputs_count: int, hidden_units: int, outputs: int, dtype: str):
    _built()
    inputs = keras.Input(shape=(inputs_count,), dtype=dtype)
    hidden = keras.layers.Dense(hidden_units, activation="relu", dtype=dtype)
    output = keras.layers.Dense(outputs, activation="softmax", dtype=dtype)
    return keras.Model(inputs, output(hidden(inputs)))


def versions() -> dict:
    """The versions and settings that produced a reference result."""
    return {"tensorflow": tf.__version__, "keras": keras.__version__, **TF_SETTINGS}


def softmax(z: np.ndarray, axis: int) -> np.ndarray:
    """keras.ops.softmax along ``axis``, in the input's dtype."""
    with _no_size_one_axis_warning():
        return keras.ops.convert_to_numpy(keras.ops.softmax(keras.ops.convert_to_tensor(z), axis=axis))


def dense(x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str | None) -> np.ndarray:
    """A keras.layers.Dense with ``set_weights([W, b])`` applied to ``x``, in x's dtype.

    Keras layers take batches; a single example (1-D ``x``) goes in as a batch of one.
    """
    if x.ndim == 1:
        return dense(x[np.newaxis], W, b, activation)[0]
    layer = _dense_layer(W.shape[0], W.shape[1], activation, str(x.dtype))  # one per shape, weights set each time
    layer.set_weights([W, b])
    with _no_size_one_axis_warning():
        return keras.ops.convert_to_numpy(layer(x))


def categorical_accuracy(y_pred: np.ndarray, y_true: np.ndarray) -> float:
    """Keras' categorical accuracy, averaged over the batch (ties are not its to judge)."""
    hits = keras.metrics.categorical_accuracy(y_true, y_pred)
    return float(np.mean(keras.ops.convert_to_numpy(hits)))


def to_categorical(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """keras.utils.to_categorical."""
    return np.asarray(keras.utils.to_categorical(labels, num_classes))


def categorical_crossentropy(y_true: np.ndarray, y_pred: np.ndarray, from_logits: bool = False) -> float:
    """keras.losses.categorical_crossentropy (probabilities in, with Keras' clipping; or logits), averaged over the
    batch."""
    loss = keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=from_logits)
    return float(np.mean(keras.ops.convert_to_numpy(loss)))


def crossentropy_gradients(x: np.ndarray, W: np.ndarray, b: np.ndarray, y_true: np.ndarray) -> list:
    """tf.GradientTape's [dW, db] of Keras' mean categorical cross-entropy of softmax(x @ W + b)."""
    _built()
    kernel, bias = tf.Variable(W), tf.Variable(b)
    with tf.GradientTape() as tape:
        probabilities = keras.activations.softmax(tf.matmul(x, kernel) + bias)
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y_true, probabilities))
    return [gradient.numpy() for gradient in tape.gradient(loss, [kernel, bias])]


def sgd_step(*arrays: np.ndarray, learning_rate: float, count: int) -> list:
    """The parameters (the first ``count`` arrays) after keras.optimizers.SGD(learning_rate) applies the
    gradients (the rest) once."""
    _built()
    variables = [keras.Variable(p) for p in arrays[:count]]
    keras.optimizers.SGD(learning_rate=learning_rate).apply_gradients(zip(arrays[count:], variables))
    return [keras.ops.convert_to_numpy(v) for v in variables]


def relu(z: np.ndarray) -> np.ndarray:
    """keras.activations.relu, in z's dtype."""
    return keras.ops.convert_to_numpy(keras.activations.relu(keras.ops.convert_to_tensor(z)))


def mlp(x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """A Keras model Input -> Dense(relu) -> Dense(softmax) with weights [W1, b1, W2, b2], applied to x."""
    model = _mlp_model(W1.shape[0], W1.shape[1], W2.shape[1], str(x.dtype))  # one per shape, weights set each time
    model.set_weights([W1, b1, W2, b2])
    return keras.ops.convert_to_numpy(model(x))


def fit_epoch(W: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray, *, learning_rate: float,
              batch_size: int) -> list:
    """[W, b] of a Dense(softmax) model after model.fit(x, y, batch_size, epochs=1, shuffle=False) with plain SGD."""
    _built()
    inputs = keras.Input(shape=(W.shape[0],))
    layer = keras.layers.Dense(W.shape[1], activation="softmax")
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([W, b])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="categorical_crossentropy")
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
    return layer.get_weights()
