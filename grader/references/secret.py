"""The course secret: a key only the instructor holds, and the grade-time inputs made from it.

``grader secret init`` writes a random key into the course's secret folder (``grading.secret_folder``
of course.yaml, next to it by default; git-ignored, never in a handout, an nbgrader release or a
notebook) and builds from it, with Keras, a set of grading inputs (grader.references.build):
MNIST batches for the visible and the hidden checks, taken from held-out images the handout does
not hold (minus the public batches) and moved and changed by the key; the fixed cases; the seeds of
every Hypothesis check; and Keras' answers for all of them. ``grader grade`` grades on that set
only, so every student meets the same inputs on every run, and none of them can know the inputs
or their answers beforehand: a check counts only if the code holds on them. Students' own
``grader check`` keeps the public set.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path

import numpy as np

from grader.course import Course
from grader.errors import GraderError
from grader.references.build import grading_changes
from grader.references.store import DATA, INPUT_FILES, References, content_hash, load_batches, load_references

KEY_FILE = "secret.key"
SECRET_FILES = (KEY_FILE, "manifest.json", "hidden.npz", *INPUT_FILES)


def folder_for(course: Course, course_file: Path) -> Path:
    """The course's secret folder: ``grading.secret_folder``, relative to the course file."""
    return (Path(course_file).resolve().parent / course.grading.secret_folder).resolve()


def init_secret(course: Course, folder: Path, *, new_key: bool = False, rebuild: bool = False, mnist: str | None = None,
                use_keras_cache: bool = True) -> dict:
    """Make (or keep) the key in ``folder`` and build the grade-time inputs from it; return their manifest.

    Inputs that are there and current for this course and these references are kept, unless ``rebuild``.
    """
    if not (new_key or rebuild) and problem_with(folder, course) is None:
        return dict(json.loads((folder / "manifest.json").read_text()), kept=True)
    from grader.references.mnist import flatten_images, load_mnist
    from grader.references.build import HIDDEN_BATCHES, build_inputs
    from grader.references.store import load_model

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = folder / KEY_FILE
    if new_key or not key_file.is_file():
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_hex(32) + "\n")
    key = _read_key(folder)
    data = load_mnist(mnist or course.data.mnist, use_cache=use_keras_cache)
    public = {row.tobytes() for batch in load_batches(DATA / "visible.npz").x for row in batch}
    fresh = np.array([row.tobytes() not in public for row in flatten_images(data.x_test)], dtype=bool)
    manifest = build_inputs(course, folder, key, load_model(), data.x_test[fresh], data.y_test[fresh],
                            data.x_train, data.y_train, hidden_batches=HIDDEN_BATCHES)
    manifest["mnist"] = data.origin
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _read_key(folder: Path) -> bytes:
    text = (folder / KEY_FILE).read_text().strip()
    if len(text) < 32:
        raise GraderError(f"{folder / KEY_FILE} does not hold a key: make a new one with grader secret init --new-key.")
    return text.encode()


def problem_with(folder: Path, course: Course) -> str | None:
    """Why the grade-time inputs in ``folder`` cannot be used with this course and these references, if they cannot."""
    if not (folder / KEY_FILE).is_file() or not (folder / "manifest.json").is_file():
        return (f"There is no course secret in {folder}, so there are no grade-time inputs yet. Make them once with: "
                "grader secret init (it needs TensorFlow, and keeps the key in that folder: never share it).")
    manifest = json.loads((folder / "manifest.json").read_text())
    stale = ["the reference model changed since"] if manifest.get("model_sha256") != content_hash(DATA / "model.npz") else []
    stale += grading_changes(manifest, course)
    if stale:
        return (f"The grade-time inputs in {folder} were made for another grading ({'; '.join(stale)}). "
                "Make them again with: grader secret init (the key stays the same).")
    return None


def load_secret(folder: Path) -> References:
    """The grade-time references: the secret set, with its key."""
    return load_references(folder, _read_key(folder))


def secret_digest(folder: Path | None) -> str:
    """A hash of the grade-time inputs (not of the key alone): part of what decides that a grade is unchanged."""
    digest = hashlib.sha256()
    for name in SECRET_FILES if folder else ():
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def secret_files(folder: Path) -> dict[str, bytes]:
    """The secret folder's files, to send to the machines that grade (a Dask cluster of the instructor's)."""
    return {name: (folder / name).read_bytes() for name in SECRET_FILES if (folder / name).is_file()}
