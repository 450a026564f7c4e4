"""Every promise in an exercise's docstring, and the check that tests it.

A docstring is the student's contract: what shapes, dtypes and axes the function takes, what
it returns, what it raises, what it leaves alone. A promise no check tests is a promise a
wrong answer keeps for free (a one_hot for 1-D labels only, a dense layer that ignores an
unknown activation). Each phrase below is quoted from the solution's docstring (the stubs and
notebooks carry the same one) and names the checks that test it; ``tests/test_contracts.py``
holds both ways: every phrase is in the docstring, every check of the course proves some phrase.

``python -m grader.contracts`` prints the table as Markdown (docs/contracts.md holds it).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from grader.course import PROJECT_ROOT, Course, load_course

CONTRACTS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "softmax": (
        ("z: scores of any shape, float16, float32 or float64", ("matches_keras", "float16")),
        ("For a batch of network outputs it is (batch, classes)", ("mnist_batches", "mnist_hidden")),
        ("one example is (classes,)", ("matches_keras",)),
        ("every slice along it becomes a probability distribution", ("any_axis",)),
        ("Default: the last axis.", ("matches_keras",)),
        ("A new float array of the same shape as ``z``", ("properties",)),
        ("every value in [0, 1]", ("properties",)),
        ("every slice along ``axis`` summing to 1", ("properties", "any_axis")),
        ("``z`` itself is not modified", ("properties",)),
        ("exp(1000) overflows to inf", ("large_logits",)),
        ("Softmax does not change if you subtract the same number from every score of a slice", ("properties",)),
    ),
    "dense": (
        ("x: inputs, (batch, inputs)", ("linear_matches_keras", "single_example", "mnist_batches", "mnist_hidden")),
        ("one example alone is (inputs,)", ("single_example",)),
        ("W: the kernel, (inputs, units), as ``layer.get_weights()[0]`` gives it", ("linear_matches_keras",)),
        ("b: the bias, (units,), added to every row", ("linear_matches_keras",)),
        ("``\"relu\"`` (max(z, 0) elementwise)", ("relu_matches_keras",)),
        ("``\"softmax\"`` (along the last axis", ("softmax_matches_keras", "mnist_batches")),
        ("(batch, units), or (units,) for a single example", ("linear_matches_keras", "single_example")),
        ("The inputs are not modified", ("inputs_unchanged",)),
        ("Any other ``activation`` is a mistake by the caller: raise ValueError", ("unknown_activation",)),
    ),
    "accuracy": (
        ("y_pred: (n, k) scores or probabilities", ("matches_keras", "mnist_batches", "mnist_hidden")),
        ("A Python float in [0, 1], like Keras' ``categorical_accuracy`` averaged over the batch",
         ("matches_keras", "mnist_batches")),
        ("the first of the tied classes counts, as ``np.argmax`` does", ("ties_first_index",)),
    ),
    "one_hot": (
        ("labels: integer class labels in [0, num_classes), any shape; (n,) for a batch",
         ("matches_keras", "label_shapes")),
        ("num_classes: how many classes there are (10 for MNIST digits)", ("matches_keras", "mnist_labels")),
        ("A float array of shape ``labels.shape + (num_classes,)``", ("label_shapes",)),
        ("each row all zeros but a single 1 at the label's index", ("matches_keras", "mnist_labels")),
    ),
    "crossentropy": (
        ("clipped to [1e-7, 1 - 1e-7] as Keras does", ("matches_keras",)),
        ("A Python float: the loss averaged over the batch (what model.evaluate reports)",
         ("matches_keras", "mnist_batches", "mnist_hidden")),
        ("An untrained model that says 0.1 for every digit scores ln(10) = 2.3026", ("untrained_model",)),
    ),
    "relu": (
        ("z: an array of any shape and float dtype", ("matches_keras",)),
        ("A new array of the same shape and dtype; ``z`` is not modified", ("matches_keras",)),
    ),
    "mlp": (
        ("``params = [W1, b1, W2, b2]`` in the order ``model.get_weights()`` gives", ("matches_keras", "mnist_batches")),
        ("(batch, classes) probabilities; each row sums to 1", ("matches_keras",)),
        ("write the softmax here (subtract each row's max first)", ("large_logits",)),
    ),
    "glorot": (
        ("limit = sqrt(6 / (fan_in + fan_out))", ("bounds",)),
        ("drawn independently and uniformly from [-limit, limit]", ("uniform_distribution", "bounds")),
        ("A float array of shape (fan_in, fan_out)", ("bounds",)),
        ("the same generator state must give the same weights", ("uses_the_generator",)),
    ),
    "gradients": (
        ("A list ``[dW, db]`` with the shapes of ``W`` and ``b``", ("matches_gradient_tape",)),
        ("what ``tf.GradientTape`` gives for Keras' mean categorical cross-entropy",
         ("matches_gradient_tape", "mnist_batches")),
    ),
    "sgd": (
        ("p_new = p - learning_rate * g", ("matches_keras",)),
        ("A new list of new arrays, in the same order", ("matches_keras",)),
        ("``params`` and ``grads`` are not modified", ("inputs_unchanged",)),
    ),
    "training": (
        ("take the rows of ``x`` and ``y`` in order", ("small_problems", "mnist_epoch")),
        ("the last batch may be smaller", ("small_problems",)),
        ("like ``model.fit(x, y, batch_size, epochs=1, shuffle=False)``", ("mnist_epoch", "small_problems")),
    ),
}


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def docstring(course: Course, exercise: str, solutions: Path = PROJECT_ROOT / "solutions") -> str:
    """The docstring of the exercise's function in its solution module."""
    config = course.exercises(exercise)[0]
    tree = ast.parse((solutions / f"{config.module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == config.function:
            return ast.get_docstring(node) or ""
    raise LookupError(f"solutions/{config.module}.py has no function {config.function}")


def markdown(course: Course) -> str:
    """The table: exercise, promise, the checks that test it (with their points)."""
    lines = ["# What each docstring promises, and the check that tests it", "",
             "Generated by `python -m grader.contracts` from `grader/contracts.py` and course.yaml; "
             "`tests/test_contracts.py` keeps it true.", "",
             "| exercise | the docstring promises | tested by (points) |", "|---|---|---|"]
    for exercise in course.exercises():
        for phrase, checks in CONTRACTS.get(exercise.name, ()):
            tested = ", ".join(f"`{name}` ({exercise.checks[name].points:g})" for name in checks)
            promise = normalised(phrase).replace("|", "\\|")
            lines.append(f"| {exercise.name} | {promise} | {tested} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown(load_course()))
