"""The student handout: stubs, the grader with the public references only, and a short README.

Never in it: the solutions, the course secret and its grade-time inputs (grader.references.secret), and the
bundled MNIST sample's held-out images (the grade-time batches are drawn from them): the handout's
sample holds the training images only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import yaml

from grader.course import PROJECT_ROOT, Course, read_yaml
from grader.errors import GraderError
from grader.authoring.freshness import EXERCISES, refuse_stale
from grader.grading.forbidden import imports_in
from grader.references.mnist import SAMPLE, SAMPLE_TRAIN
from grader.references.secret import folder_for

NEVER_SHIPPED = ("hidden.npz", "secret.key", "__pycache__", "*.pyc", "*.egg-info")

STUDENT_README = """\
# {title}

Your exercises are in `exercises/`: {files}. Each function has a docstring with the
formula, the shapes and the classic pitfall; replace the `raise NotImplementedError(...)`
line with your code, using NumPy only.

## Set up once

Python 3.10 or newer (the optional Keras extra needs one TensorFlow has wheels for), on Linux, macOS
(Intel or Apple Silicon) or Windows in WSL. On Ubuntu 24.04, bubblewrap may be barred from making
its sandbox (an AppArmor rule): `grader check` then says so and runs your code in a plain process.

- Linux, and Windows in WSL (`wsl --install -d Ubuntu` in PowerShell, then work inside Ubuntu):

      sudo apt-get install -y python3-venv bubblewrap   # bubblewrap runs your code sandboxed
      python3 -m venv .venv && .venv/bin/pip install -e .

- macOS (no bubblewrap there: your code runs in a plain process, under the same timeouts):

      python3 -m venv .venv && .venv/bin/pip install -e .

That installs NumPy, pytest and the checks, nothing more. If your course uses notebooks, add Jupyter's
packages: `.venv/bin/pip install -e '.[notebook]'`. TensorFlow is optional: the Keras answers the
checks need come with the exercises, so your points are the same without it; with it
(`.venv/bin/pip install -e '.[keras]'`, about 2 GB), a failure is shrunk to its smallest input
and more hints are worked out.

## Check your work

    .venv/bin/grader check                      # all exercises in exercises/
    .venv/bin/grader check --exercise softmax   # one exercise
    .venv/bin/pytest                            # the same checks, one pytest test each (-k softmax, -x, --lf)

Most checks compare your function with what real Keras computes, on generated inputs and
on real MNIST batches; the others test what the docstring promises (bounds, a distribution,
inputs left alone). A failed check shows the input it failed on (with TensorFlow installed,
shrunk to the smallest one), what was expected, what came back, and a hint when one explains
the difference. Your grade is computed the same way on other inputs of the same kinds (and
on hidden checks): code that is right in general gets the same marks there; code that is
right only on these inputs does not. To check a zip before you hand it in, unzip it and
check the folder.

## What to hand in

Your exercise files, as they are in `exercises/` ({files}): the files themselves, or the
`exercises/` folder, or a zip of either (one folder inside it is fine). Or, if your course
uses notebooks, your notebook, named after its assignment (for example `forward_pass.ipynb`).
Editor and system files (`.ipynb_checkpoints/`, `__MACOSX/`, `._*`, any file or folder whose
name starts with a dot) are ignored, and so are links: hand in the files themselves. Your code
may import NumPy and the standard library only, and its helpers must be in those files.

MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0.
"""


def imported_modules(course: Course, modules: list[str], exercises: Path = EXERCISES) -> list[str]:
    """``modules`` and every course module they import (dense.py imports softmax), in a stable order."""
    known = {exercise.module for exercise in course.exercises()}
    found = list(modules)
    for module in modules:
        found += [name.split(".")[0] for _, _, name in imports_in(exercises, module) if name.split(".")[0] in known]
    return list(dict.fromkeys(found))


def _assignment_course_yaml(course_file: Path, assignment: str) -> str:
    raw = read_yaml(course_file.read_text())
    raw["assignments"] = [entry for entry in raw["assignments"] if entry.get("id") == assignment]
    return (f"# {assignment} of {course_file.name}, written by `grader release --assignment {assignment}`.\n"
            + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))


HANDOUT_PYTEST = """[tool.pytest.ini_options]
# `pytest` here grades exercises/ with the course's checks, one test per check (grader/pytest_plugin.py).
addopts = "--submission exercises"
"""


def handout_pyproject(kit: str) -> str:
    """The kit's pyproject.toml with the handout's pytest settings instead of the kit's own (its tests stay home)."""
    start = kit.find("[tool.pytest.ini_options]")
    if start < 0:
        return kit.rstrip("\n") + "\n\n" + HANDOUT_PYTEST
    end = kit.find("\n[", start + 1)
    rest = kit[end + 1:] if end >= 0 else ""
    return kit[:start] + HANDOUT_PYTEST + ("\n" + rest if rest else "")


def release(out: Path, course: Course, course_file: Path, assignment: str | None = None) -> list[Path]:
    """Write the handout of the course, or of one ``assignment``, into ``out`` (which must be new or empty);
    return the files written. Refused if the course's stubs or references are not current (grader.authoring.freshness)."""
    if out.exists() and any(out.iterdir()):
        raise GraderError(f"{out} is not empty: give a new folder for the handout, so nothing old gets shipped.")
    full_course = course
    if assignment is not None:
        course = course.only_assignment(assignment)
    refuse_stale(course, "The handout")
    secret = folder_for(course, course_file)
    for shipped in ("exercises", "grader"):
        if secret == PROJECT_ROOT / shipped or PROJECT_ROOT / shipped in secret.parents:
            raise GraderError(f"The course secret's folder {secret} is inside {shipped}/, which is handed out: move "
                              "it (grading.secret_folder in course.yaml) before releasing.")
    ignore = shutil.ignore_patterns(*NEVER_SHIPPED)
    graded = list(dict.fromkeys(exercise.module for exercise in course.exercises()))
    shipped = imported_modules(full_course, graded)
    (out / "exercises").mkdir(parents=True)
    for module in shipped:
        shutil.copy(EXERCISES / f"{module}.py", out / "exercises" / f"{module}.py")
    shutil.copytree(PROJECT_ROOT / "grader", out / "grader", ignore=ignore)
    with np.load(SAMPLE, allow_pickle=False) as sample:  # the training images only: not the grade-time pool
        np.savez_compressed(out / "grader" / "data" / SAMPLE.name, x=sample["x"][:SAMPLE_TRAIN],
                            y=sample["y"][:SAMPLE_TRAIN], source=sample["source"])
    if assignment is None:
        shutil.copy(course_file, out / "course.yaml")
    else:
        (out / "course.yaml").write_text(_assignment_course_yaml(course_file, assignment))
    (out / "pyproject.toml").write_text(handout_pyproject((PROJECT_ROOT / "pyproject.toml").read_text()))
    functions: dict[str, list[str]] = {}  # a module may hold several exercises (mlp.py: relu and mlp_forward)
    for exercise in course.exercises():
        functions.setdefault(exercise.module, []).append(exercise.function)
    files = ", ".join(f"`{module}.py` ({', '.join(names)})" for module, names in functions.items())
    imported = [module for module in shipped if module not in graded]
    if imported:
        files += (f"; {', '.join(f'`{module}.py`' for module in imported)} from an earlier assignment, which they "
                  "import: put your own in its place")
    (out / "README.md").write_text(STUDENT_README.format(title=course.title, files=files))
    return sorted(p for p in out.rglob("*") if p.is_file())
