"""The training curve of the by-hand loop (the reference solutions) beside Keras' fit with plain SGD.

Same data (the bundled MNIST sample, 4,000 images to train, 1,000 held out), same order
(shuffle=False), same initial weights (Glorot uniform, seed 0), same learning rate and batch size.
Prints the held-out accuracy and loss after each epoch and saves the plot.

Usage: python benchmarks/training_curve.py [--epochs 5] [--out out/training_curve.png]
"""

import argparse
import sys
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "solutions"))

from accuracy import accuracy  # noqa: E402
from crossentropy import categorical_crossentropy  # noqa: E402
from dense import dense_forward  # noqa: E402
from glorot import glorot_uniform  # noqa: E402
from training import train_epoch  # noqa: E402

from grader.oracle import keras_calls  # noqa: E402,F401 - TensorFlow with the recorded settings
from grader.references.mnist import flatten_images, load_sample, one_hot  # noqa: E402

LEARNING_RATE, BATCH_SIZE = 0.1, 32


def main() -> None:
    import keras
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=PROJECT / "out" / "training_curve.png")
    args = parser.parse_args()

    data = load_sample()
    x, y = flatten_images(data.x_train), one_hot(data.y_train)
    x_test, y_test = flatten_images(data.x_test), one_hot(data.y_test)
    W = glorot_uniform(784, 10, np.random.default_rng(0)).astype("float32")
    b = np.zeros(10, dtype="float32")

    inputs = keras.Input(shape=(784,))
    layer = keras.layers.Dense(10, activation="softmax")
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights([W, b])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE), loss="categorical_crossentropy",
                  metrics=["categorical_accuracy"])

    params, rows = [W, b], []
    for epoch in range(1, args.epochs + 1):
        params = train_epoch(params, x, y, LEARNING_RATE, BATCH_SIZE)
        model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, shuffle=False, verbose=0)
        mine = dense_forward(x_test, params[0], params[1], activation="softmax")
        keras_loss, keras_accuracy = model.evaluate(x_test, y_test, verbose=0)
        rows.append((epoch, accuracy(mine, y_test), keras_accuracy,
                     categorical_crossentropy(y_test, mine), keras_loss,
                     float(np.abs(params[0] - layer.get_weights()[0]).max())))
    print("epoch  by-hand acc  keras acc  by-hand loss  keras loss  max |W diff|")
    for row in rows:
        print(f"{row[0]:5d}  {row[1]:11.4f}  {row[2]:9.4f}  {row[3]:12.4f}  {row[4]:10.4f}  {row[5]:.2e}")

    epochs = [row[0] for row in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(epochs, [r[1] for r in rows], "o-", label="by hand (NumPy)")
    left.plot(epochs, [r[2] for r in rows], "x--", label="Keras fit (SGD)")
    left.set(xlabel="epoch", ylabel="held-out accuracy", title="Accuracy")
    right.plot(epochs, [r[3] for r in rows], "o-", label="by hand (NumPy)")
    right.plot(epochs, [r[4] for r in rows], "x--", label="Keras fit (SGD)")
    right.set(xlabel="epoch", ylabel="held-out loss", title="Categorical cross-entropy")
    left.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=100)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
