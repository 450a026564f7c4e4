"""A rebuild keeps the stored reference files when they hold the same numbers.

Keras on another CPU (other SIMD widths, another oneDNN path) rounds a float32 sum
differently in the last bit or two. A rebuilt file that differs only so would change the
grading's fingerprint (grader.classrun.fingerprint), and every submission of the class would be graded
again for nothing. So each file is written beside the stored one and compared: same names,
dtypes and shapes, integers equal, floats within REBUILD_TOLERANCE; then the stored file stays,
byte for byte, and the build goes on with its numbers. Any real change (other data, seed,
model, checks, library) moves values far beyond it, or changes names and shapes.

Not so the recorded grading inputs (examples.npz): the recorded Keras answers are looked up by the inputs' exact
bytes, so an input kept from an older build that differs in its last bit from the one drawn now would find no
answer. They are kept only when they are the very same (the strategies draw the same bits on every CPU,
grader.grading.strategies), else written anew with the answers recorded for them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import numpy as np

from grader.oracle.array_bundle import load_bundle

REBUILD_TOLERANCE = (1e-5, 1e-6)
"""(rtol, atol): a few float32 steps (one step is 1.2e-7 relative). The grading tolerances (grader.grading.compare) are
1e-4 relative and up, and a reference batch's top-1 margin is at least 1e-3, so no verdict hangs on a difference
this small."""


def _contents(path: Path) -> tuple[dict[str, np.ndarray], dict | None]:
    with np.load(path, allow_pickle=False) as data:
        names = set(data.files)
        if names != {"index", "blob"}:
            return {name: data[name] for name in data.files}, None
    return load_bundle(path)  # grader.oracle.array_bundle: many arrays in one buffer, compared one by one


def same_numbers(old: Path, new: Path, tolerance: tuple[float, float] | None = REBUILD_TOLERANCE) -> bool:
    """True if the two files hold the same arrays (and bundle meta), floats within ``tolerance`` (None: equal)."""
    (old_arrays, old_meta), (new_arrays, new_meta) = _contents(old), _contents(new)
    if old_arrays.keys() != new_arrays.keys() or old_meta != new_meta:
        return False
    for name, a in old_arrays.items():
        b = new_arrays[name]
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if tolerance is None:
            if a.tobytes() != b.tobytes():  # -0.0 is not 0.0, a NaN's payload counts: the very same bits
                return False
        elif a.dtype.kind == "f":
            rtol, atol = tolerance
            if not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
                return False
        elif not np.array_equal(a, b):
            return False
    return True


def settle(path: Path, write: Callable[[Path], None], tolerance: tuple[float, float] | None = REBUILD_TOLERANCE) -> bool:
    """Write the file with ``write(path)``, unless ``path`` already holds the same numbers (within ``tolerance``;
    None: the very same): then keep it as it is. True if the stored file was kept."""
    staged = path.with_name(f".{path.stem}.new{path.suffix}")
    write(staged)
    try:
        if path.is_file() and same_numbers(path, staged, tolerance):
            return True
        os.replace(staged, path)
        return False
    finally:
        staged.unlink(missing_ok=True)
