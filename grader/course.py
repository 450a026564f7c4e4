"""course.yaml, loaded once into a typed, validated schema.

Every key is described and defaulted here; an unknown key or a bad value is reported
by its place in the file (``assignments[0].exercises[1].checks.foo``) with what was expected.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from grader.errors import CourseError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_COURSE = PROJECT_ROOT / "course.yaml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckConfig(Strict):
    points: float = Field(ge=0, description="Points this check is worth; it earns all of them or none.")
    hidden: bool = Field(False, description="Graded for the instructor only; not shipped to students.")


class ExerciseConfig(Strict):
    name: str = Field(description="The exercise's name in reports, e.g. softmax.")
    module: str = Field(description="The student's file, without .py, e.g. softmax.")
    function: str = Field(description="The function graded in that file.")
    checks: dict[str, CheckConfig] = Field(description="Check name -> points; the names are the grader's checks.")

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks.values())


class AssignmentConfig(Strict):
    id: str = Field(description="Short identifier, used for folder and notebook names.")
    title: str = Field(description="Shown to students.")
    due: dt.date | dt.datetime | None = Field(
        None,
        description="When the assignment is due: YYYY-MM-DD (the end of that day, 23:59:59) or YYYY-MM-DD HH:MM:SS, "
        "in the course's timezone unless it names its own offset. Passed on to nbgrader's gradebook.",
    )
    exercises: list[ExerciseConfig] = Field(min_length=1)

    @field_validator("due", mode="before")
    @classmethod
    def _a_date_not_a_number(cls, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError("give a date, YYYY-MM-DD, or a date and time, YYYY-MM-DD HH:MM:SS, not a number")
        return value


class DataConfig(Strict):
    mnist: str | None = Field(
        None,
        description="An mnist.npz or a folder of IDX files, used when the Keras cache has none; "
        "default: $GRADER_MNIST, then the bundled sample.",
    )


FORBIDDEN_DEFAULT = ["tensorflow", "keras", "torch", "jax", "sklearn", "scipy.special"]


class GradingConfig(Strict):
    max_examples: int = Field(60, ge=1, le=10_000, description="Hypothesis examples per property check.")
    forbidden_modules: list[str] = Field(
        default_factory=lambda: list(FORBIDDEN_DEFAULT),
        description="Modules student code may not import (with their submodules): the exercises are NumPy by hand.",
    )
    secret_folder: str = Field(
        ".grader-secret",
        description="The course secret and the grade-time inputs (made by `grader secret init`), relative to this "
        "file. Only the instructor may read it: never commit it, never hand it out.",
    )


class LimitsConfig(Strict):
    """Per exercise of one submission; enforced by the kernel, not by the student code's cooperation."""

    call_timeout_seconds: float = Field(10.0, gt=0, description="Wall-clock limit for one call of a student function.")
    exercise_seconds: float = Field(120.0, gt=0, description="Wall-clock limit for all the calls of one exercise "
                                    "(a right answer that sleeps in every call is stopped here).")
    submission_seconds: float = Field(900.0, gt=0, description="Wall-clock limit for all of one submission's calls.")
    tmp_files: int = Field(10_000, ge=10, description="Files the code may make in its private /tmp (the tmpfs caps "
                           "bytes, not files).")
    cpu_seconds: int = Field(10, ge=1, description="CPU time for all the calls of one exercise (RLIMIT_CPU).")
    memory_mb: int = Field(2048, ge=256, description="Address space of the worker process (RLIMIT_AS).")
    max_processes: int = Field(32, ge=4, description="Processes the worker may run at once (pids cgroup).")
    max_file_mb: int = Field(16, ge=1, description="Largest file the worker may write (RLIMIT_FSIZE).")
    output_kb: int = Field(64, ge=1, description="Printed output kept for feedback; the rest is counted.")


class NbgraderConfig(Strict):
    course_id: str = Field("nn-matrix-ops", description="nbgrader's course id.")


class Course(Strict):
    title: str
    timezone: str = Field("UTC", description="The IANA time zone of the due dates, e.g. Europe/Berlin.")
    assignments: list[AssignmentConfig] = Field(min_length=1)
    data: DataConfig = DataConfig()
    grading: GradingConfig = GradingConfig()
    limits: LimitsConfig = LimitsConfig()
    nbgrader: NbgraderConfig = NbgraderConfig()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name!r} is not an IANA time zone name, such as UTC or Europe/Berlin") from None
        return name

    def due_at(self, assignment: AssignmentConfig) -> dt.datetime | None:
        """When ``assignment`` is due, as an aware UTC datetime (a bare date is the end of that day)."""
        due = assignment.due
        if due is None:
            return None
        if not isinstance(due, dt.datetime):
            due = dt.datetime.combine(due, dt.time(23, 59, 59))
        if due.tzinfo is None:
            due = due.replace(tzinfo=ZoneInfo(self.timezone))
        return due.astimezone(dt.timezone.utc)

    def only_assignment(self, name: str) -> Course:
        """This course with just the assignment ``name``: what grading one assignment's submissions uses."""
        chosen = [assignment for assignment in self.assignments if assignment.id == name]
        if not chosen:
            names = ", ".join(assignment.id for assignment in self.assignments)
            raise CourseError(f"There is no assignment named {name!r} in the course; the assignments are: {names}.")
        return self.model_copy(update={"assignments": chosen})

    def exercises(self, only: str | Iterable[str] | None = None) -> list[ExerciseConfig]:
        """All exercises in course order, or just the one(s) named in ``only``."""
        every = [exercise for assignment in self.assignments for exercise in assignment.exercises]
        if only is None:
            return every
        wanted = {only} if isinstance(only, str) else set(only)
        unknown = wanted - {exercise.name for exercise in every}
        if unknown:
            names = ", ".join(exercise.name for exercise in every)
            raise CourseError(f"There is no exercise named {sorted(unknown)[0]!r} in the course; "
                              f"the exercises are: {names}.")
        return [exercise for exercise in every if exercise.name in wanted]


def read_yaml(text: str):
    """YAML's safe subset, read by libyaml where PyYAML has it (about 10x faster: every command reads the course);
    a text it refuses is read again by PyYAML's own reader, whose error quotes the line at fault."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return yaml.safe_load(text)


def load_course(path: str | Path | None = None) -> Course:
    """Read and validate course.yaml (default: $GRADER_COURSE, else the project's own)."""
    path = Path(path or os.environ.get("GRADER_COURSE") or DEFAULT_COURSE)
    try:
        raw = read_yaml(path.read_text())
    except FileNotFoundError:
        raise CourseError(f"{path} does not exist: give the course file with --course PATH.") from None
    except yaml.YAMLError as error:
        raise CourseError(f"{path} is not valid YAML: {error}") from None
    except ValueError as error:  # a date YAML reads as one but cannot be: 2026-13-45, 25:00:00
        raise CourseError(f"{path} holds an impossible date or time: {error}.") from None
    try:
        course = Course.model_validate(raw)
    except ValidationError as error:
        raise CourseError(f"{path} has {error.error_count()} problem(s):\n{_describe(error)}") from None
    _check_known_checks(course, path)
    return course


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem["loc"]).lstrip(".")
        message = "unknown key (remove it or check its spelling)" if problem["type"] == "extra_forbidden" else problem["msg"]
        lines.append(f"  - {where or 'top level'}: {message}")
    return "\n".join(lines)


def _check_known_checks(course: Course, path: Path) -> None:
    from grader.checks import CHECKS  # the registry imports the checks; load it only once the file is valid

    for exercise in course.exercises():
        known = CHECKS.get(exercise.name)
        if known is None:
            raise CourseError(f"{path}: exercise {exercise.name!r} has no checks in the grader; known: {', '.join(CHECKS)}.")
        for name in exercise.checks:
            if name not in known:
                raise CourseError(
                    f"{path}: exercise {exercise.name!r} lists check {name!r}, which the grader does not have; "
                    f"its checks are: {', '.join(known)}."
                )
