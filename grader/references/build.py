"""Build the reference fixtures with real TensorFlow/Keras, the tutorial notebook's way.

``Input(shape=(784,)) -> Dense(10, softmax, kernel_initializer="zeros")``, compiled with
adam and categorical cross-entropy, trained seeded and deterministic. Grading uses the
trained weights, never the zero initial ones (at zero weights every probability is 0.1
and a missing bias would pass). Then the reference solutions are graded once with a
recording oracle, which stores Keras' output for every grading input.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from grader.course import PROJECT_ROOT, Course
from grader.errors import GraderError
from grader.mnist import flatten_images, load_mnist, one_hot
from grader.oracle import Oracle
from grader.references.store import DATA, FILES, BatchSet, References, content_hash, save_batches
from grader.replay import Recording

SEED = 1234
EPOCHS = 3
BATCH_SIZE = 32
BATCH = 64
PUBLIC_BATCHES, HIDDEN_BATCHES = 2, 3
MIN_MARGIN = 1e-3
"""Smallest top-1 minus top-2 probability allowed in a reference batch, so no rounding can flip an argmax."""


def build_references(course: Course, out: Path = DATA, mnist: str | None = None, use_keras_cache: bool = True) -> dict:
    """Train, write model/public/hidden/oracle files and the manifest into ``out``; return the manifest."""
    from grader import keras_reference  # imports TensorFlow with the recorded settings
    import keras
    import tensorflow as tf

    data = load_mnist(mnist or course.data.mnist, use_cache=use_keras_cache)
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    model, dense = _trained_model(keras, flatten_images(data.x_train), one_hot(data.y_train))
    W, b = dense.get_weights()

    x_test, y_test = flatten_images(data.x_test), one_hot(data.y_test)
    clear = np.flatnonzero(_margins(model.predict(x_test, verbose=0)) >= MIN_MARGIN)
    chosen = np.random.default_rng(SEED).permutation(clear)[: BATCH * (PUBLIC_BATCHES + HIDDEN_BATCHES)]
    if len(chosen) < BATCH * (PUBLIC_BATCHES + HIDDEN_BATCHES):
        raise GraderError(f"Only {len(clear)} held-out images have a clear top-1 margin; need more MNIST data.")
    groups = chosen.reshape(-1, BATCH)
    public = _batches(keras, model, W, b, x_test, y_test, groups[:PUBLIC_BATCHES])
    hidden = _batches(keras, model, W, b, x_test, y_test, groups[PUBLIC_BATCHES:])

    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "model.npz", W=W, b=b)
    save_batches(out / "public.npz", public)
    save_batches(out / "hidden.npz", hidden)
    oracle, recording = _record_grading(course, References(W, b, public, hidden))
    oracle.save(out / "oracle.npz")
    recording.save(out / "examples.npz")

    manifest = {
        "versions": keras_reference.versions(),
        "hypothesis": __import__("hypothesis").__version__,
        "max_examples": course.grading.max_examples,
        "mnist": data.origin,
        "training": {"seed": SEED, "epochs": EPOCHS, "batch_size": BATCH_SIZE, "train_images": len(data.x_train)},
        "batches": {"size": BATCH, "public": PUBLIC_BATCHES, "hidden": HIDDEN_BATCHES,
                    "min_top1_margin": float(min(_margins(public.predict).min(), _margins(hidden.predict).min()))},
        "recorded_oracle_results": len(oracle.recorded),
        "recorded_examples": sum(len(examples) for examples in recording.examples.values()),
        "sha256": {name: content_hash(out / name) for name in FILES},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _trained_model(keras, x_train: np.ndarray, y_train: np.ndarray):
    inputs = keras.Input(shape=(784,))
    dense = keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros")
    model = keras.Model(inputs=inputs, outputs=dense(inputs))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["categorical_accuracy"])
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=True, verbose=0)
    return model, dense


def _margins(probabilities: np.ndarray) -> np.ndarray:
    top = np.sort(probabilities, axis=-1)
    return top[..., -1] - top[..., -2]


def _batches(keras, model, W, b, x_test, y_test, groups: np.ndarray) -> BatchSet:
    linear = keras.layers.Dense(10)
    linear.build((None, 784))
    linear.set_weights([W, b])
    xs, ys = x_test[groups], y_test[groups]
    logits, predict, loss, accuracy = [], [], [], []
    for x, y in zip(xs, ys):
        logits.append(keras.ops.convert_to_numpy(linear(x)))
        predict.append(model.predict(x, batch_size=len(x), verbose=0))
        result = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
        loss.append(result["loss"])
        accuracy.append(result["categorical_accuracy"])
    return BatchSet(xs, ys, np.stack(logits), np.stack(predict),
                    np.array(loss, dtype="float32"), np.array(accuracy, dtype="float32"))


def _record_grading(course: Course, references: References) -> tuple[Oracle, Recording]:
    from grader.grading import grade_submission

    oracle = Oracle(record=True)
    recording = Recording(record=True, max_examples=course.grading.max_examples)
    result = grade_submission(PROJECT_ROOT / "solutions", course, references=references, oracle=oracle,
                              recording=recording)
    if result.score != result.max_score:
        failed = [f"{e.name}.{c.name}: {c.feedback}" for e in result.exercises for c in e.checks if not c.passed]
        raise GraderError("The reference solutions do not get full marks, so nothing was recorded:\n" + "\n".join(failed))
    return oracle, recording
