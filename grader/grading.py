"""Grading one submission: each exercise's checks, run against the student's code in its own worker."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from grader.checks import CHECKS
from grader.checks.base import Context
from grader.compare import CheckFailed
from grader.course import Course, ExerciseConfig
from grader.errors import GraderError, SubmissionError
from grader.forbidden import forbidden_imports
from grader.oracle import Oracle
from grader.references.store import DATA, References, load_references
from grader.replay import Recording
from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.sandbox.bwrap import bwrap_path
from grader.sandbox.limits import Limits
from grader.strategies import grading_settings
from grader.student_process import ExerciseStopped, StudentProcess, WorkerSettings, forbidden_message


def worker_settings(course: Course, sandbox: bool) -> WorkerSettings:
    """The course's limits, as the worker gets them."""
    limits = course.limits
    return WorkerSettings(
        sandbox=sandbox,
        limits=Limits(limits.cpu_seconds, limits.memory_mb * 2**20, limits.max_processes, limits.max_file_mb * 2**20),
        call_timeout=limits.call_timeout_seconds,
        output_bytes=limits.output_kb * 1024,
        forbidden_modules=tuple(course.grading.forbidden_modules),
    )


def resolve_sandbox(sandbox: bool | None) -> bool:
    """None means: sandbox if bubblewrap is installed. True where it is not installed is an error."""
    available = bwrap_path() is not None
    if sandbox and not available:
        raise GraderError("bubblewrap (bwrap) is not installed, so student code cannot be sandboxed. "
                          "Install it (apt-get install bubblewrap) or grade without it using --no-sandbox.")
    return available if sandbox is None else sandbox


def grade_submission(
    folder: str | Path,
    course: Course,
    *,
    exercise: str | Iterable[str] | None = None,
    sandbox: bool | None = None,
    references: References | None = None,
    oracle: Oracle | None = None,
    recording: Recording | None = None,
) -> SubmissionResult:
    """Grade the submission in ``folder`` (all exercises, or those named) in one worker of its own.

    ``folder`` holds the exercise modules, or a notebook whose answer cells define the functions;
    it may also be a notebook file itself. The exercises run one after the other in the same
    worker (a fresh one after a call that loses it: a timeout, a crash), each with its own CPU
    budget, its own record of forbidden imports and its own output.
    """
    settings = worker_settings(course, resolve_sandbox(sandbox))
    hypothesis_settings = grading_settings(course.grading.max_examples)
    results = []
    with ExitStack() as stack:
        folder, name, in_notebook = _modules_folder(Path(folder), [e.module for e in course.exercises()], stack)
        exercises = [e for e in course.exercises(exercise) if in_notebook is None or e.name in in_notebook]
        student = stack.enter_context(StudentProcess(folder, settings, exercises=len(exercises)))
        if references is None or oracle is None or recording is None:
            shared = _loaded_once()
            references, oracle, recording = references or shared[0], oracle or shared[1], recording or shared[2]
        for config in exercises:
            start = student.begin_exercise(config.name)
            ctx = Context(student, config.module, config.function, oracle, references, hypothesis_settings, recording)
            result = _grade_exercise(ctx, config, forbidden_imports(folder, config.module, settings.forbidden_modules))
            results.append(replace(result, output=student.output(start, student.mark())))
    return SubmissionResult(name, tuple(results))


@lru_cache(maxsize=1)
def _loaded_once() -> tuple[References, Oracle, Recording]:
    """The references, recorded Keras results and recorded inputs, read once per process (never changed by grading)."""
    return load_references(), Oracle.from_file(DATA / "oracle.npz"), Recording.load(DATA / "examples.npz")


def _modules_folder(path: Path, modules: list[str], stack: ExitStack) -> tuple[Path, str, set[str] | None]:
    """The folder of modules to grade, the submission's name, and (for a notebook) the exercises it has tests for.

    A notebook is written out as modules first; it is graded on the exercises of its own assignment.
    """
    if path.is_dir():
        notebooks = sorted(path.glob("*.ipynb")) + sorted(path.glob("*/*.ipynb"))
        if not notebooks or any((path / f"{module}.py").is_file() for module in modules):
            return path, path.name, None
        if len(notebooks) > 1:
            raise SubmissionError(f"{path} holds several notebooks ({', '.join(n.name for n in notebooks)}); "
                                  "keep one, or give the notebook file itself.")
        notebook, name = notebooks[0], path.name
    elif path.is_file() and path.suffix == ".ipynb":
        notebook, name = path, path.stem
    else:
        raise SubmissionError(f"{path} is not a folder or a notebook: give the folder that holds your .py files "
                              "(e.g. exercises/) or your .ipynb file.")
    from grader.jupyter.submission import notebook_to_folder  # nbformat's import takes seconds: only for notebooks

    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grader-notebook-")))
    folder, tested = notebook_to_folder(notebook, scratch / name, modules)
    return folder, name, tested


def _grade_exercise(ctx: Context, config: ExerciseConfig, forbidden: list[str]) -> ExerciseResult:
    checks, status, message, hidden_points = [], None, "", 0.0
    if forbidden:
        status, message = "forbidden", forbidden_message([line.rsplit(": ", 1)[1] for line in forbidden])
        message += " Found at: " + "; ".join(forbidden) + "."
    for name, check_config in config.checks.items():
        check = CHECKS[config.name][name]
        if check_config.hidden and ctx.references.hidden is None:
            hidden_points += check_config.points
            continue
        if status in ("forbidden", "not_attempted", "error", "timeout", "crashed", "memory") and message:
            checks.append(CheckResult(name, check.title, check_config.points, False, f"Not run: {message}",
                                      check_config.hidden, ran=False))
            continue
        feedback, ran, ctx.key = "", True, f"{config.name}.{name}"
        try:
            check.run(ctx)
        except CheckFailed as failure:
            feedback = failure.problem + (f"\nHint: {failure.hint}" if failure.hint else "")
        except ExerciseStopped as stop:  # not attempted, import error, timeout, crash, memory, forbidden: stop here
            status, message, feedback = stop.status, stop.message, stop.message
            ran = stop.status in ("timeout", "crashed", "memory")  # the check itself ran into the problem
        except Exception as error:  # noqa: BLE001 - a grader bug must not cost the class its grades
            feedback = f"The grader failed on this check ({type(error).__name__}: {error}); please tell your instructor."
            status = status or "error"
        checks.append(CheckResult(name, check.title, check_config.points, not feedback, feedback, check_config.hidden, ran))
    if status is None:
        status = "passed" if all(check.passed for check in checks) else "failed"
    return ExerciseResult(config.name, status, tuple(checks), message, tuple(ctx.notes), hidden_points)
