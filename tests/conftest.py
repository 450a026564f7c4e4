"""Shared fixtures: the course, and Jupyter/Keras homes kept out of the real home folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from grader.course import Course, load_course  # noqa: E402

PROJECT = Path(__file__).parents[1]
SECRET = Path(__file__).parent / "secret"
"""A course secret for the tests only (grader secret init --folder tests/secret): public, so never a class's."""
COURSE = load_course(PROJECT / "course.yaml")
"""course.yaml as the tests read it once; the figures below follow it instead of restating it."""
FULL_MARKS = sum(exercise.max_score for exercise in COURSE.exercises())
CHECK_COUNT = sum(len(exercise.checks) for exercise in COURSE.exercises())
HIDDEN_POINTS = sum(check.points for exercise in COURSE.exercises()
                    for check in exercise.checks.values() if check.hidden)
PUBLIC_MARKS = FULL_MARKS - HIDDEN_POINTS
"""The most a student's own `grader check` can show: the hidden checks run at the instructor's grade only."""
ASSIGNMENT_MARKS = {assignment.id: sum(exercise.max_score for exercise in assignment.exercises)
                    for assignment in COURSE.assignments}
"""Each assignment's full marks, from course.yaml (the tests follow the course; they do not restate it)."""
FORWARD_PASS = ASSIGNMENT_MARKS["forward_pass"]
HIDDEN_FORWARD_PASS = sum(check.points for assignment in COURSE.assignments
                          if assignment.id == "forward_pass" for exercise in assignment.exercises
                          for check in exercise.checks.values() if check.hidden)


VERDICTS = Path(__file__).parent / "verdicts.json"
"""Every corpus entry's verdict on every check (and nbgrader's scores of its round trips), as recorded by
`pytest -m slow tests/test_corpus.py tests/test_hostile.py tests/test_nbgrader.py --record-verdicts`: a change to
how the checks are written or run must keep them, check by check."""


STOPPED_BY_A_LIMIT = ("timeout", "memory")
"""Statuses of an exercise stopped by a clock or a memory limit: on a busy machine the limit can stop it a check
sooner or later, so only such an exercise's status is compared with its record, never its checks or score."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--record-verdicts", action="store_true",
                     help=f"Write the corpus' verdicts into {VERDICTS.name} instead of comparing with it.")


class Verdicts:
    """The recorded verdicts: ``agree(key, result)`` asserts a graded entry matches its record (or records it)."""

    def __init__(self, recorded: dict, recording: bool):
        self.recorded, self.recording, self.seen = recorded, recording, {}

    @staticmethod
    def of(result) -> dict:
        return {exercise.name: {"status": exercise.status, "score": float(exercise.score),
                                "checks": {check.name: check.passed for check in exercise.checks}}
                for exercise in result.exercises}

    def agree(self, key: str, result) -> None:
        self.agree_summary(key, self.of(result))

    def agree_summary(self, key: str, summary: dict) -> None:
        """The same for a summary already made (nbgrader's scores, say); JSON's lists stand for tuples."""
        self.seen[key] = json.loads(json.dumps(summary))
        if not self.recording:
            assert key in self.recorded, f"{key} has no recorded verdicts: pytest --record-verdicts records them"
            assert self.seen[key] == self.recorded[key], f"{key}: the verdicts changed"


@pytest.fixture(scope="session")
def verdicts(request):
    recording = request.config.getoption("record_verdicts")
    book = Verdicts(json.loads(VERDICTS.read_text()) if VERDICTS.is_file() else {}, recording)
    yield book
    if recording and book.seen:
        VERDICTS.write_text(json.dumps({**book.recorded, **book.seen}, indent=1, sort_keys=True) + "\n")


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course()


@pytest.fixture(scope="session")
def strict_course(course) -> Course:
    """Short limits so hostile code is stopped fast: 5 s per call, 15 s per exercise, 2 s of CPU (killed at 3 s), 1 GiB."""
    limits = course.limits.model_copy(update={"call_timeout_seconds": 5.0, "exercise_seconds": 15.0, "cpu_seconds": 2,
                                              "memory_mb": 1024})
    grading = course.grading.model_copy(update={"secret_folder": str(SECRET)})  # for nbgrader's autograde
    return course.model_copy(update={"limits": limits, "grading": grading})


@pytest.fixture(autouse=True)
def no_keras_cache(tmp_path_factory, monkeypatch):
    """Tests never see a real ~/.keras cache unless they put one there themselves."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
    monkeypatch.delenv("GRADER_MNIST", raising=False)
