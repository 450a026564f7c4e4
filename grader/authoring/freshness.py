"""Whether the course's generated files are current: what `grader release`, `grader nbgrader build` and the
Gradescope and Classroom exports refuse to ship when they are not.

Each exercise of course.yaml needs its solution (``solutions/<module>.py`` defining the function, its answer in
a solution region, see grader.authoring.stubs), its stub (``exercises/<module>.py``, exactly what ``grader stubs`` makes of the
solution) and its checks (course.yaml's loader already refuses unknown ones). The public references must have
been recorded (``grader references build``) by these checks and strategies, this Hypothesis and this many
examples, for every check the course lists: otherwise each check asks Keras live, many times slower, and a
student without TensorFlow gets no shrunk failure.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from grader.course import PROJECT_ROOT, Course
from grader.errors import GraderError
from grader.authoring.stubs import MARKERS, stale_stubs

SOLUTIONS = PROJECT_ROOT / "solutions"
EXERCISES = PROJECT_ROOT / "exercises"


def _defined_functions(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_text(), str(path))
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _file_problems(course: Course, solutions: Path, exercises: Path) -> tuple[list[str], list[str]]:
    """Missing files or functions, and the modules whose solution and stub both exist."""
    problems, complete = [], []
    for exercise in course.exercises():
        solution, stub = solutions / f"{exercise.module}.py", exercises / f"{exercise.module}.py"
        if not solution.is_file():
            problems.append(f"{exercise.name}: {solution} is missing (the solution, its answer between {MARKERS})")
            continue
        if exercise.function not in _defined_functions(solution):
            problems.append(f"{exercise.name}: {solution} defines no top-level function {exercise.function}()")
            continue
        if not stub.is_file():
            problems.append(f"{exercise.name}: the stub {stub} is missing; run: grader build")
            continue
        if exercise.module not in complete:
            complete.append(exercise.module)
    return problems, complete


def reference_problems(course: Course, references: Path) -> list[str]:
    """Why the public references in ``references`` were not recorded for this course's checks, if they were not."""
    from grader.references.build import grading_changes

    manifest_file = references / "manifest.json"
    if not manifest_file.is_file():
        return [f"there are no public references in {references}; run: grader build"]
    changed = grading_changes(json.loads(manifest_file.read_text()), course)
    if not changed:
        return []
    return [f"the public references were recorded for other checks ({'; '.join(changed)}); "
            "run: grader build"]


def course_problems(course: Course, *, solutions: Path | None = None, exercises: Path | None = None,
                    references: Path | None = None) -> list[str]:
    """Everything that keeps the course's generated files (default: the kit's) from matching its sources, as
    sentences."""
    from grader.references.store import DATA

    solutions, exercises = solutions or SOLUTIONS, exercises or EXERCISES
    problems, complete = _file_problems(course, solutions, exercises)
    problems += [f"{exercises / module}.py differs from what {solutions / module}.py makes; run: grader build"
                 for module in stale_stubs(solutions, exercises, complete)]
    return problems + reference_problems(course, references or DATA)


def refuse_stale(course: Course, what: str, **folders: Path) -> None:
    """Raise GraderError, saying what to run, if the course's generated files are not current."""
    problems = course_problems(course, **folders)
    if problems:
        raise GraderError(f"{what} was not written, because the course's generated files are not current:\n  - "
                          + "\n  - ".join(problems))
