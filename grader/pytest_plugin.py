"""pytest, pointed at a submission, runs the course's checks: ``pytest --submission exercises/``.

Each check of course.yaml is a pytest test, ``course.yaml::<exercise>::<check>``, carrying its points and
visibility as markers (``points(3)``; ``visibility("visible")``, or ``"after_published"`` for a hidden check:
the words of Gradescope's autograder results, https://gradescope-autograders.readthedocs.io/en/latest/specs/).
So ``-k softmax``, ``-x``, ``--junitxml=report.xml``, ``--lf`` and the test explorers of VS Code and PyCharm work
as they do on any pytest suite. The verdicts are the grader's: the selected exercises are graded once, in the
sandboxed worker, exactly as ``grader check`` grades them (``--secret`` for the grade-time inputs and the hidden
checks, as ``grader grade`` does), and each test passes or fails with its check, the failure showing the
check's feedback (the input, expected and got, the hint) rather than a traceback.

The plugin is registered through the ``pytest11`` entry point and does nothing without ``--submission``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

RESULT = pytest.StashKey["object"]()
SELECTED = pytest.StashKey["list"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "grading a submission with the course's checks")
    group.addoption("--submission", metavar="PATH", help="Grade this folder of exercise modules, or notebook, with the "
                    "course's checks: each check is a test (e.g. pytest --submission exercises/).")
    group.addoption("--course", dest="grader_course", metavar="FILE",
                    help="The course file [default: $GRADER_COURSE, else the kit's course.yaml].")
    group.addoption("--assignment", dest="grader_assignment", metavar="NAME", help="Only this assignment's checks.")
    group.addoption("--secret", dest="grader_secret", metavar="DIR",
                    help="Grade on the course secret's grade-time inputs, hidden checks included (instructors).")
    group.addoption("--no-sandbox", dest="grader_no_sandbox", action="store_true",
                    help="Run the submission without bubblewrap: only for code you trust.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): the points a check is worth (all or nothing)")
    config.addinivalue_line("markers", "visibility(word): who sees the check's result: visible, hidden, "
                            "after_due_date or after_published (Gradescope's words)")
    submission = config.getoption("submission")
    if not submission:
        return
    from grader.course import DEFAULT_COURSE, load_course
    from grader.errors import GraderError

    course_file = Path(config.getoption("grader_course") or os.environ.get("GRADER_COURSE") or DEFAULT_COURSE).resolve()
    try:
        course = load_course(course_file)
        if config.getoption("grader_assignment"):
            course = course.only_assignment(config.getoption("grader_assignment"))
    except GraderError as error:
        raise pytest.UsageError(str(error)) from None
    path = Path(submission)
    if not path.exists() and not path.is_absolute() and (config.rootpath / path).exists():
        path = config.rootpath / path  # the handout's addopts name exercises/ from its root; pytest may run below it
    if not path.exists():
        raise pytest.UsageError(f"--submission {submission}: there is no such file or folder here ({Path.cwd()}) "
                                f"or in {config.rootpath}. Give the folder that holds your exercise modules "
                                "(e.g. exercises/) or your notebook.")
    if path.is_file() and path.suffix != ".ipynb":
        raise pytest.UsageError(f"--submission {submission}: {path.name} is neither a folder nor a notebook (.ipynb). "
                                "Give the folder that holds your exercise modules (e.g. exercises/), or your notebook.")
    config.pluginmanager.register(SubmissionGrading(course, course_file, path), "grader-submission")
    # The course's checks are the tests: collect them, not the folders given (or testpaths).
    wanted = [arg for arg in config.args if Path(arg.split("::")[0]).resolve() == course_file]
    config.args[:] = wanted or [str(course_file)]


class SubmissionGrading:
    """The course file as pytest's one test file, and the grading its tests share."""

    def __init__(self, course, course_file: Path, submission: Path):
        self.course, self.course_file, self.submission = course, course_file, submission
        self.output_shown: set[str] = set()
        self.problem_shown: dict[str, str] = {}  # exercise -> the test that showed why it could not be graded

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector):
        if file_path.resolve() == self.course_file:
            return CourseFile.from_parent(parent, path=file_path, grading=self)
        return None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        config.stash[SELECTED] = items  # after -k and -m: the exercises to grade

    def result(self, config: pytest.Config):
        """The submission graded once, on the selected tests' exercises: a SubmissionResult, or the GraderError."""
        if RESULT not in config.stash:
            from grader.errors import GraderError
            from grader.grading.submission import grade_submission

            names = list(dict.fromkeys(item.exercise for item in config.stash.get(SELECTED, [])
                                       if isinstance(item, CheckItem)))
            secret = config.getoption("grader_secret")
            try:
                config.stash[RESULT] = grade_submission(
                    self.submission, self.course, exercise=names or None,
                    sandbox=False if config.getoption("grader_no_sandbox") else None,
                    secret=Path(secret).resolve() if secret else None)
            except GraderError as error:
                config.stash[RESULT] = error
        return config.stash[RESULT]

    def pytest_terminal_summary(self, terminalreporter, config: pytest.Config) -> None:
        result = config.stash.get(RESULT, None)
        if result is None:
            return
        if isinstance(result, Exception):
            terminalreporter.write_line(f"The submission could not be graded: {result}", red=True)
            return
        selected = {(item.exercise, item.name) for item in config.stash.get(SELECTED, []) if isinstance(item, CheckItem)}
        every = {(exercise.name, check.name) for exercise in result.exercises for check in exercise.checks}
        counted = [(exercise, [check for check in exercise.checks if (exercise.name, check.name) in selected])
                   for exercise in result.exercises]
        counted = [(exercise, checks) for exercise, checks in counted if checks]
        score = sum(check.score for _, checks in counted for check in checks)
        top = sum(check.max_score for _, checks in counted for check in checks)
        which = "score" if selected >= every else f"score of the {len(selected & every)} checks selected"
        terminalreporter.write_sep("=", f"{which}: {float(score):g} / {float(top):g}")
        for exercise, checks in counted:
            line = (f"{exercise.name}: {float(sum(c.score for c in checks)):g} / "
                    f"{float(sum(c.max_score for c in checks)):g}")
            if exercise.hidden_points and selected >= every:
                line += f" (+{float(exercise.hidden_points):g} in hidden checks, graded by your instructor)"
            message = exercise.message.splitlines()[0] if exercise.message else ""
            terminalreporter.write_line(line + (f"  {message}" if message else ""))
            for note in exercise.notes:
                terminalreporter.write_line(f"  note: {note}")


class CourseFile(pytest.File):
    def __init__(self, *, grading: SubmissionGrading, **kwargs):
        super().__init__(**kwargs)
        self.grading = grading

    def collect(self):
        with_hidden = bool(self.config.getoption("grader_secret"))
        for exercise in self.grading.course.exercises():
            checks = {name: check for name, check in exercise.checks.items() if with_hidden or not check.hidden}
            if checks:
                yield ExerciseCollector.from_parent(self, name=exercise.name, exercise=exercise, checks=checks)


class ExerciseCollector(pytest.Collector):
    def __init__(self, *, exercise, checks: dict, **kwargs):
        super().__init__(**kwargs)
        self.exercise, self.checks = exercise, checks

    def collect(self):
        for name, check in self.checks.items():
            visibility = "after_published" if check.hidden else "visible"
            item = CheckItem.from_parent(self, name=name, exercise=self.exercise.name)
            item.add_marker(pytest.mark.points(check.points))
            item.add_marker(pytest.mark.visibility(visibility))
            item.user_properties += [("points", check.points), ("visibility", visibility)]  # in --junitxml
            yield item


class CheckFailure(Exception):
    """A check that did not pass: its feedback is the report."""


class CheckItem(pytest.Item):
    def __init__(self, *, exercise: str, **kwargs):
        super().__init__(**kwargs)
        self.exercise = exercise

    def runtest(self) -> None:
        grading: SubmissionGrading = self.parent.parent.grading
        result = grading.result(self.config)
        if isinstance(result, Exception):
            raise CheckFailure(f"The submission could not be graded: {result}")
        exercise = next((e for e in result.exercises if e.name == self.exercise), None)
        if exercise is None:  # a notebook is graded on its own assignment only
            pytest.skip(f"{self.exercise} is not part of what {grading.submission.name} is graded on.")
        check = next((c for c in exercise.checks if c.name == self.name), None)
        if check is None:
            pytest.skip(f"{self.exercise}.{self.name} was not graded here (a hidden check needs --secret).")
        self.user_properties.append(("score", check.score))
        if check.passed:
            return
        if exercise.output and self.exercise not in grading.output_shown:
            grading.output_shown.add(self.exercise)  # once per exercise, with its first failing check
            self.add_report_section("call", f"what {self.exercise}'s code printed", exercise.output)
        feedback = check.feedback or exercise.message or f"The check did not pass ({exercise.status})."
        if not check.ran:  # one problem stopped the whole exercise: say it once, point to it after
            first = grading.problem_shown.setdefault(self.exercise, self.nodeid)
            if first != self.nodeid:
                feedback = f"Not run: the problem shown for {first} stopped {self.exercise} before this check."
        raise CheckFailure(f"{self.exercise}: {check.title}\n{feedback}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.exercise}::{self.name}"
