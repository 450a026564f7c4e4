"""Grading one submission: run each exercise's checks against the student's code in its own process."""

from __future__ import annotations

from pathlib import Path

from grader.checks import CHECKS
from grader.checks.base import Context
from grader.compare import CheckFailed
from grader.course import Course, ExerciseConfig
from grader.errors import SubmissionError
from grader.oracle import Oracle
from grader.references.store import DATA, References, load_references
from grader.replay import Recording
from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.strategies import grading_settings
from grader.student_process import ExerciseStopped, StudentProcess


def grade_submission(
    folder: str | Path,
    course: Course,
    *,
    exercise: str | None = None,
    references: References | None = None,
    oracle: Oracle | None = None,
    recording: Recording | None = None,
) -> SubmissionResult:
    """Grade the submission in ``folder`` (one exercise, or all of them)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SubmissionError(f"{folder} is not a folder: give the folder that holds your .py files (e.g. exercises/).")
    exercises = course.exercises(exercise)
    settings = grading_settings(course.grading.max_examples)
    with StudentProcess(folder, course.limits.call_timeout_seconds) as student:
        references = references or load_references()
        oracle = oracle or Oracle.from_file(DATA / "oracle.npz")
        recording = recording or Recording.load(DATA / "examples.npz")
        results = tuple(
            _grade_exercise(Context(student, config.module, config.function, oracle, references, settings, recording), config)
            for config in exercises
        )
        output = student.output()
    return SubmissionResult(folder.name, results, output)


def _grade_exercise(ctx: Context, config: ExerciseConfig) -> ExerciseResult:
    checks, status, message, hidden_points = [], None, "", 0.0
    stopped = False
    for name, check_config in config.checks.items():
        check = CHECKS[config.name][name]
        if check_config.hidden and ctx.references.hidden is None:
            hidden_points += check_config.points
            continue
        if stopped:
            checks.append(CheckResult(name, check.title, check_config.points, False, f"Not run: {message}", check_config.hidden))
            continue
        feedback, ctx.key = "", f"{config.name}.{name}"
        try:
            check.run(ctx)
        except CheckFailed as failure:
            feedback = failure.problem + (f"\nHint: {failure.hint}" if failure.hint else "")
        except ExerciseStopped as stop:  # includes CallLost: a timeout or crash ends the exercise, bounding its time
            status, message, stopped = stop.status, stop.message, True
            feedback = stop.message
        except Exception as error:  # noqa: BLE001 - a grader bug must not cost the class its grades
            feedback = f"The grader failed on this check ({type(error).__name__}: {error}); please tell your instructor."
            status = status or "error"
        checks.append(CheckResult(name, check.title, check_config.points, not feedback, feedback, check_config.hidden))
    if status is None:
        status = "passed" if all(check.passed for check in checks) else "failed"
    return ExerciseResult(config.name, status, tuple(checks), message, tuple(ctx.notes), hidden_points)
