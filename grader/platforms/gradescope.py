"""Gradescope: the autograder zip (``grader export gradescope``) and the run inside it.

Follows Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): a zip with ``setup.sh`` and
``run_autograder`` at its root, unpacked into ``/autograder/source``; the student's files in
``/autograder/submission``; the results in ``/autograder/results/results.json``, which
``run_autograder`` must write whatever happens; ``/autograder/results/stdout`` is the
instructors' only. In the zip: the kit's own package and course (``kit/``) and the course
secret (``secret/``), readable by root only. The student's code runs as an unprivileged user
(made by setup.sh) in the kit's worker, sandboxed by bubblewrap where the container allows it.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import time
import traceback
import zipfile
from pathlib import Path

from grader.course import PROJECT_ROOT, Course, load_course
from grader.errors import GraderError
from grader.authoring.freshness import refuse_stale
from grader.references.secret import problem_with

ROOT_VARIABLE = "GRADER_GRADESCOPE_ROOT"
"""Where the Gradescope tree is: /autograder on Gradescope; a folder of the tests' own when they run the zip."""
PYTHON_VARIABLE = "GRADER_GRADESCOPE_PYTHON"
"""The Python that has the kit: the venv setup.sh makes on Gradescope; the tests' own interpreter in the tests."""
WORKER_USER = "grader-student"
"""The unprivileged user the student's code runs as (setup.sh makes it; Gradescope runs run_autograder as root)."""
USER_VARIABLE = "GRADER_GRADESCOPE_USER"
"""Another user for the student's code (the tests use nobody), or empty for none: the tests' only."""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap
id -u {user} >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin {user}
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install '/autograder/source/kit[keras,notebook]'  # Keras shrinks failures; notebooks
# The kit, the course and the secret are root's alone: the student's code runs as {user}.
chmod -R go-rwx /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this, as root, for every submission. It always leaves results/results.json.
root="${{{root_variable}:-/autograder}}"
python="${{{python_variable}:-/autograder/venv/bin/python}}"
mkdir -p "$root/results"
chmod 755 "$root/results"  # results.json is the grader's alone: the student's code (another user) cannot write it
"$python" -m grader.platforms.gradescope "$root" {assignment} || true
if [ ! -s "$root/results/results.json" ]; then
  printf '%s\\n' '{{"score": 0, "output": "The autograder could not run: your instructor has been told. Nothing you did caused this.", "tests": []}}' > "$root/results/results.json"
fi
"""


def _kit_files(course_file: Path) -> list[tuple[str, bytes]]:
    """The kit's package (no caches), its pyproject and the course, as (name in the zip, bytes)."""
    files = [("kit/pyproject.toml", (PROJECT_ROOT / "pyproject.toml").read_bytes()),
             ("kit/README.md", (PROJECT_ROOT / "README.md").read_bytes()),
             ("kit/course.yaml", course_file.read_bytes())]
    package = PROJECT_ROOT / "grader"
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append((f"kit/grader/{path.relative_to(package).as_posix()}", path.read_bytes()))
    return files


def build_autograder(course: Course, course_file: Path, secret: Path, out: Path, assignment: str | None = None) -> Path:
    """Write the autograder zip for ``assignment`` (or the whole course) to ``out``; return it."""
    if assignment is not None and assignment not in {a.id for a in course.assignments}:
        raise GraderError(f"course.yaml has no assignment {assignment!r}: it has "
                          f"{', '.join(a.id for a in course.assignments)}.")
    refuse_stale(course.only_assignment(assignment) if assignment else course, "The Gradescope autograder")
    problem = problem_with(secret, course)
    if problem:
        raise GraderError(problem)
    entries = [("setup.sh", SETUP_SH.format(user=WORKER_USER).encode(), 0o755),
               ("run_autograder", RUN_AUTOGRADER.format(root_variable=ROOT_VARIABLE, python_variable=PYTHON_VARIABLE,
                                                        assignment=shlex.quote(assignment or "")).encode(), 0o755)]
    entries += [(name, data, 0o644) for name, data in _kit_files(course_file)]
    entries += [(f"secret/{path.name}", path.read_bytes(), 0o600) for path in sorted(secret.iterdir()) if path.is_file()]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # the same course gives the same zip
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out


def _user_exists(name: str) -> bool:
    from grader.grading.submission import user_ids

    try:
        user_ids(name)
    except GraderError:
        return False
    return True


def _failure_results(message: str) -> dict:
    return {"score": 0.0, "output": message, "tests": [], "stdout_visibility": "hidden"}


def run(root: Path, assignment: str | None) -> dict:
    """Grade ``root/submission`` with the kit and the secret in ``root/source``; results.json's content."""
    from grader.grading.submission import grade_submission, resolve_sandbox
    from grader.grading.reports import gradescope_results
    from grader.sandbox.bwrap import bwrap_works

    source = root / "source"
    course = load_course(source / "kit" / "course.yaml")
    if assignment:
        course = course.only_assignment(assignment)
    problem = problem_with(source / "secret", course)  # the instructor's to fix: said in the autograder's output
    if problem:
        raise GraderError(problem)
    user = os.environ.get(USER_VARIABLE, WORKER_USER) if os.geteuid() == 0 else ""
    if user and not _user_exists(user):
        print(f"There is no user {user} (setup.sh makes it): the student's code runs as root.")
        user = ""
    sandbox = bwrap_works(user or None)
    if not sandbox:
        print("bubblewrap cannot make a sandbox in this container: the student's code runs in a plain process"
              f"{' as ' + user if user else ''}, under the course's limits.")
    started = time.monotonic()
    result = grade_submission(root / "submission", course, secret=source / "secret", sandbox=resolve_sandbox(sandbox),
                              worker_user=user or None)
    results = gradescope_results(result)
    results.update(execution_time=round(time.monotonic() - started), stdout_visibility="hidden")
    return results


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path("/autograder")
    assignment = argv[1] if len(argv) > 1 and argv[1] else None
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        results = run(root, assignment)
    except Exception:  # noqa: BLE001 - whatever happens, Gradescope gets a results.json
        traceback.print_exc(file=sys.stdout)  # results/stdout: the instructors' only
        results = _failure_results("The autograder could not grade this submission; your instructor has been told "
                                   "(the details are in the autograder's output). Your files are kept as submitted.")
    staged = target.with_suffix(".partial")
    staged.write_text(json.dumps(results, indent=2))
    os.replace(staged, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
