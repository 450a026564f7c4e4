"""Build the reference fixtures with real TensorFlow/Keras, the tutorial notebook's way.

``Input(shape=(784,)) -> Dense(10, softmax, kernel_initializer="zeros")``, compiled with
adam and categorical cross-entropy, trained seeded and deterministic. Grading uses the
trained weights, never the zero initial ones (at zero weights every probability is 0.1
and a missing bias would pass). Then a set of grading inputs (grader.references.store) is made
from a key: the public key for the handout's set, the course's secret key for the grade-time
set (grader.references.secret), whose MNIST images also come from the held-out pool minus the public
batches and are moved, dimmed and speckled by the key, so that no file a student holds says
what they are. Last, the reference solutions are graded once with a recording oracle, which
stores Keras' output for every grading input of that set.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from grader.course import PROJECT_ROOT, Course
from grader.errors import GraderError
from grader.references.mnist import flatten_images, load_mnist
from grader.oracle.recorded import Oracle
from grader.references.store import (
    DATA, INPUT_FILES, PUBLIC_FILES, PUBLIC_KEY, BatchSet, Cases, EpochCase, References, content_hash, key_seed,
    load_batches, load_cases, save_batches, save_cases,
)
from grader.references.settle import settle
from grader.grading.replay import Recording

SEED = 1234
EPOCHS = 3
BATCH_SIZE = 32
BATCH = 64
VISIBLE_BATCHES, HIDDEN_BATCHES = 2, 3
MIN_MARGIN = 1e-3
"""Smallest top-1 minus top-2 probability allowed in a reference batch, so no rounding can flip an argmax."""
EPOCH_ROWS, EPOCH_BATCH, EPOCH_RATE = 512, 32, 0.1
SMALL_EPOCHS = ((10, 3, 4, 4), (7, 5, 3, 7), (9, 4, 4, 2))
"""(rows, inputs, units, batch size) of train_epoch's small problems: each has a short last batch."""
MLP_HIDDEN_UNITS = 20


def build_references(course: Course, out: Path = DATA, mnist: str | None = None, use_keras_cache: bool = True) -> dict:
    """Train the model, write model.npz and the public set into ``out``, and the manifest; return the manifest."""
    from grader.oracle import keras_calls as keras_reference  # noqa: F401 - imports TensorFlow with the recorded settings
    import keras
    import tensorflow as tf

    data = load_mnist(mnist or course.data.mnist, use_cache=use_keras_cache)
    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    x_train, y_train = flatten_images(data.x_train), _one_hot(keras, data.y_train)
    model, dense = _trained_model(keras, x_train, y_train)
    W, b = dense.get_weights()
    out.mkdir(parents=True, exist_ok=True)
    kept = _same_model(out / "model.npz", W, b)
    if kept is not None:  # another CPU rounds the last bit differently: keep the stored weights, and every file after
        W, b = kept
    else:
        np.savez_compressed(out / "model.npz", W=W, b=b)
    manifest = build_inputs(course, out, PUBLIC_KEY, (W, b), data.x_test, data.y_test, data.x_train, data.y_train,
                            hidden_batches=0, model_folder=out)
    manifest.update(mnist=data.origin,
                    training={"seed": SEED, "epochs": EPOCHS, "batch_size": BATCH_SIZE, "train_images": len(x_train)},
                    sha256={name: content_hash(out / name) for name in PUBLIC_FILES})
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def build_inputs(course: Course, out: Path, key: bytes, weights: tuple, pool_images: np.ndarray, pool_labels: np.ndarray,
                 train_images: np.ndarray, train_labels: np.ndarray, *, hidden_batches: int,
                 model_folder: Path = DATA) -> dict:
    """Make one set of grading inputs from ``key`` into ``out`` and record Keras' answers; return its manifest.

    Batches come from ``pool_images`` (uint8, (n, 28, 28)), the epoch case from ``train_images``; with a
    key other than the public one, every image is moved and changed by the key first.
    """
    from grader.oracle import keras_calls as keras_reference
    import keras

    W, b = weights
    model = _model_with(keras, W, b)
    seeds = lambda name: key_seed(key, name)  # noqa: E731 - the same seeds the checks use
    rng = np.random.default_rng(seeds("mnist"))
    secret = key != PUBLIC_KEY
    x_pool = flatten_images(_disguised(pool_images, rng) if secret else pool_images)
    y_pool = _one_hot(keras, pool_labels)
    clear = np.flatnonzero(_margins(model.predict(x_pool, verbose=0)) >= MIN_MARGIN)
    count = BATCH * (VISIBLE_BATCHES + hidden_batches)
    if len(clear) < count:
        raise GraderError(f"Only {len(clear)} MNIST images have a clear top-1 margin; need {count}: give more MNIST data.")
    groups = rng.permutation(clear)[:count].reshape(-1, BATCH)
    visible = _batches(keras, model, W, b, x_pool, y_pool, groups[:VISIBLE_BATCHES])
    out.mkdir(parents=True, exist_ok=True)
    # grader.references.settle: files holding the same numbers as the stored ones (another CPU's last-bit rounding)
    # are kept byte for byte, and the build goes on with the stored numbers, so nothing downstream changes either.
    if settle(out / "visible.npz", lambda path: save_batches(path, visible)):
        visible = load_batches(out / "visible.npz")
    hidden = None
    if hidden_batches:
        hidden = _batches(keras, model, W, b, x_pool, y_pool, groups[VISIBLE_BATCHES:])
        if settle(out / "hidden.npz", lambda path: save_batches(path, hidden)):
            hidden = load_batches(out / "hidden.npz")
    train_rows = rng.permutation(len(train_images))[:EPOCH_ROWS]
    x_train = flatten_images(_disguised(train_images[train_rows], rng) if secret else train_images[train_rows])
    cases = _cases(keras, seeds, x_train, _one_hot(keras, train_labels[train_rows]))
    if settle(out / "cases.npz", lambda path: save_cases(path, cases)):
        cases = load_cases(out / "cases.npz")
    references = References(W, b, visible, hidden, cases, key)
    oracle, recording = _record_grading(course, references)
    settle(out / "oracle.npz", oracle.save)
    settle(out / "examples.npz", recording.save, tolerance=None)  # the answers' keys are these inputs' exact bytes
    margins = [_margins(batches.predict).min() for batches in (visible, hidden) if batches is not None]
    return {
        "versions": keras_reference.versions(),
        "hypothesis": __import__("hypothesis").__version__,
        "max_examples": course.grading.max_examples,
        "batches": {"size": BATCH, "visible": VISIBLE_BATCHES, "hidden": hidden_batches,
                    "min_top1_margin": float(min(margins))},
        "recorded_oracle_results": len(oracle.recorded),
        "recorded_examples": sum(len(examples) for examples in recording.examples.values()),
        "key_id": hashlib.sha256(key).hexdigest()[:12],
        "checks_sha256": checks_digest(),
        "checks": {exercise.name: sorted(exercise.checks) for exercise in course.exercises()},
        "model_sha256": content_hash(model_folder / "model.npz"),
        "sha256": {name: content_hash(out / name) for name in (*INPUT_FILES, *(("hidden.npz",) if hidden else ()))},
    }


MODEL_TOLERANCE = 1e-6
"""Trained weights within this (absolute) of the stored ones are the same model: training the same data with the
same seed on another CPU differs by a float32 step or two (4e-8 seen), while any change of data, seed or settings
moves weights by far more than 1e-4."""


def _same_model(path: Path, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The stored W and b, if ``path`` holds the same model as ``W`` and ``b`` up to MODEL_TOLERANCE."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as stored:
        old_W, old_b = stored["W"], stored["b"]
    if old_W.shape == W.shape and old_b.shape == b.shape and \
            np.abs(old_W - W).max() <= MODEL_TOLERANCE and np.abs(old_b - b).max() <= MODEL_TOLERANCE:
        return old_W, old_b
    return None


def checks_digest() -> str:
    """A hash of the code that decides which inputs the checks meet and what they ask Keras: the checks and the
    strategies. Recorded answers made with other code may miss what the checks ask now."""
    grader = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*(grader / "checks").glob("*.py"), grader / "grading" / "strategies.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def grading_changes(manifest: dict, course: Course) -> list[str]:
    """What changed, since the references of ``manifest`` were recorded, in the inputs the checks meet and what they
    ask Keras: the checks and strategies, the examples per check, Hypothesis, and the checks the course lists. One
    list for the public references (grader.authoring.freshness) and the grade-time ones (grader.references.secret)."""
    import hypothesis

    changed = []
    if manifest.get("checks_sha256") != checks_digest():
        changed.append("grader/checks or grader/grading/strategies.py changed since")
    if manifest.get("max_examples") != course.grading.max_examples:
        changed.append(f"grading.max_examples is now {course.grading.max_examples}")
    if manifest.get("hypothesis") != hypothesis.__version__:
        changed.append(f"Hypothesis is now {hypothesis.__version__}")
    recorded = manifest.get("checks", {})
    unrecorded = [f"{exercise.name}.{check}" for exercise in course.exercises() for check in exercise.checks
                  if check not in recorded.get(exercise.name, ())]
    if unrecorded:
        more = f" and {len(unrecorded) - 4} more" if len(unrecorded) > 5 else ""
        changed.append(f"they hold no Keras answers for {', '.join(unrecorded[:4] if more else unrecorded)}{more}")
    return changed


def _one_hot(keras, labels: np.ndarray) -> np.ndarray:
    return keras.utils.to_categorical(labels, 10).astype("float32")


def _trained_model(keras, x_train: np.ndarray, y_train: np.ndarray):
    inputs = keras.Input(shape=(784,))
    dense = keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros")
    model = keras.Model(inputs=inputs, outputs=dense(inputs))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["categorical_accuracy"])
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS, shuffle=True, verbose=0)
    return model, dense


def _model_with(keras, W: np.ndarray, b: np.ndarray):
    """The tutorial's model with the trained weights, compiled for predict and evaluate."""
    inputs = keras.Input(shape=(784,))
    dense = keras.layers.Dense(10, activation="softmax")
    model = keras.Model(inputs=inputs, outputs=dense(inputs))
    dense.set_weights([W, b])
    model.compile(loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    return model


def _disguised(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each image moved by up to a pixel, dimmed to 80-100% and speckled, as uint8: no longer any MNIST image."""
    moved = np.zeros_like(images)
    for index, image in enumerate(images):
        dy, dx = rng.integers(-1, 2, size=2)
        moved[index] = np.roll(np.pad(image, 2), (dy, dx), axis=(0, 1))[2:-2, 2:-2]
    dimmed = moved * rng.uniform(0.8, 1.0, size=(len(images), 1, 1))
    speckled = dimmed + rng.uniform(-12, 12, size=images.shape) * (moved > 0)
    return np.clip(np.rint(speckled), 0, 255).astype(np.uint8)


def _margins(probabilities: np.ndarray) -> np.ndarray:
    top = np.sort(probabilities, axis=-1)
    return top[..., -1] - top[..., -2]


def _batches(keras, model, W, b, x_pool, y_pool, groups: np.ndarray) -> BatchSet:
    linear = keras.layers.Dense(10)
    linear.build((None, 784))
    linear.set_weights([W, b])
    xs, ys = x_pool[groups], y_pool[groups]
    logits, predict, loss, accuracy = [], [], [], []
    for x, y in zip(xs, ys):
        logits.append(keras.ops.convert_to_numpy(linear(x)))
        predict.append(model.predict(x, batch_size=len(x), verbose=0))
        result = model.evaluate(x, y, batch_size=len(x), verbose=0, return_dict=True)
        loss.append(result["loss"])
        accuracy.append(result["categorical_accuracy"])
    return BatchSet(xs, ys, np.stack(logits), np.stack(predict),
                    np.array(loss, dtype="float32"), np.array(accuracy, dtype="float32"))


def _cases(keras, seeds, x_train: np.ndarray, y_train: np.ndarray) -> Cases:
    """The MLP's weights, train_epoch's small problems and its MNIST epoch: Keras initializers, seeded by the key."""
    def glorot(shape, name):
        return keras.ops.convert_to_numpy(keras.initializers.GlorotUniform(seed=seeds(name))(shape)).astype("float32")

    def small(shape, name):
        initializer = keras.initializers.RandomUniform(-0.1, 0.1, seed=seeds(name))
        return keras.ops.convert_to_numpy(initializer(shape)).astype("float32")

    mlp = (glorot((784, MLP_HIDDEN_UNITS), "mlp.W1"), small((MLP_HIDDEN_UNITS,), "mlp.b1"),
           glorot((MLP_HIDDEN_UNITS, 10), "mlp.W2"), small((10,), "mlp.b2"))
    rng = np.random.default_rng(seeds("training.small"))
    epochs = []
    for rows, inputs, units, batch in SMALL_EPOCHS:
        x = rng.uniform(-1, 1, (rows, inputs)).astype("float32")
        y = keras.utils.to_categorical(rng.integers(0, units, rows), units).astype("float32")
        W = rng.uniform(-0.5, 0.5, (inputs, units)).astype("float32")
        epochs.append(EpochCase(f"{rows} rows, batches of {batch}", W, np.zeros(units, "float32"), x, y, 0.5, batch))
    mnist = EpochCase(f"{EPOCH_ROWS} MNIST images, batches of {EPOCH_BATCH}", glorot((784, 10), "training.W"),
                      np.zeros(10, "float32"), x_train, y_train, EPOCH_RATE, EPOCH_BATCH)
    return Cases(mlp, tuple(epochs), mnist)


def _record_grading(course: Course, references: References) -> tuple[Oracle, Recording]:
    from grader.grading.submission import grade_submission

    oracle = Oracle(record=True)
    recording = Recording(record=True, max_examples=course.grading.max_examples)
    result = grade_submission(PROJECT_ROOT / "solutions", course, references=references, oracle=oracle,
                              recording=recording)
    if result.score != result.max_score:
        failed = [f"{e.name}.{c.name}: {c.feedback}" for e in result.exercises for c in e.checks if not c.passed]
        raise GraderError("The reference solutions do not get full marks, so nothing was recorded:\n" + "\n".join(failed))
    return oracle, recording

