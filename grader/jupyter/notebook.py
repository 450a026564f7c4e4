"""The assignment notebook, generated from the course and the solutions (never edited by hand).

It tells the tutorial's story in new words: MNIST as a matrix, a batch, a Keras Dense layer
and its weights, the model's predict and evaluate; then the same network by hand, one
answer cell and one graded test cell per exercise, and pictures of what came out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
from nbformat import v4

from grader.course import PROJECT_ROOT, AssignmentConfig, ExerciseConfig
from grader.jupyter.cells import answer, demo, story, tests

LOAD_DATA = """
import numpy as np
import grader.oracle.keras_calls  # TensorFlow with the settings the references were built with
from keras.utils import to_categorical
from grader.references.mnist import flatten_images, load_mnist

mnist = load_mnist()  # the Keras cache if you have it, else the sample of real MNIST shipped with the kit
X_train, y_train = flatten_images(mnist.x_train), to_categorical(mnist.y_train, 10)
X_test, y_test = flatten_images(mnist.x_test), to_categorical(mnist.y_test, 10)
print("from:", mnist.origin)
print("X_train", X_train.shape, "y_train", y_train.shape, "X_test", X_test.shape)
"""

SHOW_DIGITS = """
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 8, figsize=(10, 1.8))
for image, label, ax in zip(X_train[:8], y_train[:8], axes):
    ax.imshow(image.reshape(28, 28), cmap="gray_r")
    ax.set_title(f"label {label.argmax()}")
    ax.axis("off")
plt.show()
"""

KERAS_LAYER = """
import keras

inputs = keras.Input(shape=(784,))
layer = keras.layers.Dense(10, activation="softmax", kernel_initializer="zeros")
model = keras.Model(inputs=inputs, outputs=layer(inputs))
W, b = layer.get_weights()
print("W", W.shape, "b", b.shape)
print("an untrained model is unsure of everything:", model.predict(X_train[:1], verbose=0).round(3))
"""

TRAINED = """
from grader.references.store import load_references

references = load_references()
layer.set_weights([references.W, references.b])
W, b = layer.get_weights()
model.compile(loss="categorical_crossentropy", metrics=["categorical_accuracy"])

X_batch, y_batch = references.visible.x[0], references.visible.y[0]
keras_probabilities = model.predict(X_batch, verbose=0)
keras_loss, keras_accuracy = model.evaluate(X_batch, y_batch, batch_size=len(X_batch), verbose=0)
print("batch", X_batch.shape, "-> probabilities", keras_probabilities.shape)
print(f"Keras: loss {keras_loss:.4f}, accuracy {keras_accuracy:.4f}")
"""

BY_HAND = """
my_probabilities = softmax(dense_forward(X_batch, W, b))
print("largest difference from model.predict:", np.abs(my_probabilities - keras_probabilities).max())
print("accuracy by hand:", accuracy(my_probabilities, y_batch), " model.evaluate:", keras_accuracy)
"""

PICTURES = """
predicted = my_probabilities.argmax(axis=-1)
fig, axes = plt.subplots(1, 8, figsize=(10, 1.9))
for image, truth, guess, ax in zip(X_batch, y_batch.argmax(axis=-1), predicted, axes):
    ax.imshow(image.reshape(28, 28), cmap="gray_r")
    ax.set_title(f"true {truth} / net {guess}", fontsize=8, color="black" if truth == guess else "red")
    ax.axis("off")
plt.show()

fig, ax = plt.subplots(figsize=(5, 2.5))
ax.bar(range(10), my_probabilities[0])
ax.set_xticks(range(10))
ax.set_xlabel("digit")
ax.set_ylabel("probability")
ax.set_title("softmax output for the first image of the batch")
plt.show()
"""

TEST_CELL = """
# Grades {function}() the way `grader check` does; the number below is your score for it.
from grader.jupyter.in_notebook import check_exercise

check_exercise("{name}")
"""

INTRO = """
# {title}

A neural network layer is a matrix product. In this notebook you take the MNIST digits as a
matrix (one image per row), look at what a Keras `Dense` layer holds, let a trained Keras
model classify a batch, and then compute the same thing yourself with NumPy: the layer
`X @ W + b`, the softmax, and the accuracy. Every answer cell is graded against what Keras
computes.
"""

STORY = {
    "data": """
## The data: images as rows of a matrix

Each 28 x 28 image becomes a row of 784 numbers between 0 and 1, and each label becomes a
one-hot row of 10. A batch is just a slice of rows.
""",
    "keras": """
## A Dense layer in Keras

`Dense(10)` on 784 inputs holds a kernel `W` of shape (784, 10) and a bias `b` of shape (10,).
Keras creates them when the layer first sees its input's shape. With all-zero weights every
class gets the same probability, 0.1.
""",
    "trained": """
## The trained model

The kit ships this model trained on MNIST the tutorial's way (adam, categorical cross-entropy;
`grader references build` retrains it). Here are its predictions and its accuracy on a batch
of 64 held-out images.
""",
    "softmax": """
## By hand, 1: softmax

$$\\mathrm{softmax}(z)_i = \\frac{e^{z_i}}{\\sum_k e^{z_k}}$$

Write `softmax` below. The docstring says what to watch out for.
""",
    "dense": """
## By hand, 2: the Dense layer

`dense_forward(x, W, b, activation)` is `x @ W + b`, then the activation. Use your `softmax`.
""",
    "accuracy": """
## By hand, 3: accuracy

The predicted class of a row is the index of its largest value; accuracy is the fraction of
rows where it is the true class.
""",
    "one_hot": """
## The labels as rows

Keras trains on one-hot labels: `keras.utils.to_categorical(labels, 10)` turns digit 3 into a
row of ten numbers with a single 1 at index 3. Write `one_hot`.
""",
    "crossentropy": """
## How wrong is the network? The loss

`model.evaluate` reports the categorical cross-entropy: the average over the batch of
$-\\sum_k y_k \\log p_k$, the log of the probability the network gave the true digit. Keras
clips probabilities to $[10^{-7}, 1 - 10^{-7}]$ first. An untrained model that says 0.1 for
every digit scores $\\ln 10 = 2.3026$. Write `categorical_crossentropy`.
""",
    "relu": """
## A hidden layer: ReLU

The tutorial's first layer was `Dense(units=20, activation='relu')`: ReLU keeps positive values
and zeroes negative ones. Write `relu`.
""",
    "mlp": """
## Two layers

`Input(784) -> Dense(20, relu) -> Dense(10, softmax)`, with the weights in the order
`model.get_weights()` gives them: `[W1, b1, W2, b2]`. Write `mlp_forward`.
""",
    "glorot": """
## Where the weights start

The tutorial's `Dense(20, kernel_initializer='glorot_uniform')` starts from random weights drawn
uniformly in $\\pm\\sqrt{6/(\\text{fan\\_in} + \\text{fan\\_out})}$. Write `glorot_uniform`; it is checked
statistically (bounds, a Kolmogorov-Smirnov test, and the use of the generator you are given).
""",
    "gradients": """
## Which way is downhill? The gradients

Training needs the gradient of the loss with respect to W and b. For softmax followed by
cross-entropy it is short: with $p = \\mathrm{softmax}(xW + b)$ and $\\delta = (p - y)/n$,
$\\partial L/\\partial W = x^T \\delta$ and $\\partial L/\\partial b = \\sum_i \\delta_i$. They are checked
against TensorFlow's `GradientTape`. Write `softmax_crossentropy_grad`.
""",
    "sgd": """
## One step downhill

Plain SGD moves every parameter a little against its gradient: $p \\leftarrow p - \\eta\\, g$.
Write `sgd_step`; it is checked against `keras.optimizers.SGD`.
""",
    "training": """
## A whole epoch

`model.fit(x, y, batch_size=32, epochs=1, shuffle=False)` with plain SGD walks through the data
in batches and takes one step per batch. Write `train_epoch` with your gradients and your step;
it is checked against Keras' `fit` from the same starting weights.
""",
    "together": """
## All together

Your functions, on the batch Keras classified above: the differences should be tiny, and the
accuracy the same.
""",
}


def function_source(module: str, function: str) -> str:
    """The function's definition in solutions/<module>.py, docstring and solution markers included.

    It runs to the next top-level statement, so the trailing ``### END SOLUTION`` comment,
    which the syntax tree does not count as part of the function, comes along.
    """
    source = (PROJECT_ROOT / "solutions" / f"{module}.py").read_text()
    lines, body = source.splitlines(), ast.parse(source).body
    for index, node in enumerate(body):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            end = body[index + 1].lineno - 1 if index + 1 < len(body) else len(lines)
            return "\n".join(lines[node.lineno - 1 : end]).rstrip()
    raise LookupError(f"solutions/{module}.py defines no {function}()")


def default_story(exercise: ExerciseConfig) -> str:
    """An exercise without a story of its own: its name and the first paragraph of its function's docstring."""
    source = (PROJECT_ROOT / "solutions" / f"{exercise.module}.py").read_text()
    function = next((node for node in ast.parse(source).body
                     if isinstance(node, ast.FunctionDef) and node.name == exercise.function), None)
    summary = (ast.get_docstring(function) or "").split("\n\n")[0] if function else ""
    return f"## {exercise.name}\n\n{summary}".strip()


def test_cell(exercise: ExerciseConfig) -> nbformat.NotebookNode:
    """The exercise's graded test cell: its grade_id is the exercise's name, its points the course's."""
    return tests(exercise.name, TEST_CELL.format(function=exercise.function, name=exercise.name), exercise.max_score)


def exercise_cells(exercise: ExerciseConfig) -> list[nbformat.NotebookNode]:
    return [
        story(f"{exercise.name}-story", STORY.get(exercise.name) or default_story(exercise)),
        answer(f"{exercise.name}-answer", function_source(exercise.module, exercise.function)),
        test_cell(exercise),
    ]


def assignment_notebook(assignment: AssignmentConfig) -> nbformat.NotebookNode:
    """The source notebook of one assignment, with solutions and hidden tests."""
    cells = [
        story("intro", INTRO.format(title=assignment.title)),
        story("data-story", STORY["data"]),
        demo("load-data", LOAD_DATA),
        demo("show-digits", SHOW_DIGITS),
        story("keras-story", STORY["keras"]),
        demo("keras-layer", KERAS_LAYER),
        story("trained-story", STORY["trained"]),
        demo("trained-model", TRAINED),
    ]
    for exercise in assignment.exercises:
        cells += exercise_cells(exercise)
    if {"softmax", "dense", "accuracy"} <= {exercise.name for exercise in assignment.exercises}:
        cells += [story("together-story", STORY["together"]), demo("by-hand", BY_HAND), demo("pictures", PICTURES)]
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def notebook_path(folder: Path, assignment_id: str) -> Path:
    """Where nbgrader reads an assignment's source notebook: source/<id>/<id>.ipynb under ``folder``."""
    return folder / "source" / assignment_id / f"{assignment_id}.ipynb"
