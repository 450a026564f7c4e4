"""pytest, pointed at a submission, runs the course's checks: ``pytest --submission exercises/``.

Each check of course.yaml is a pytest test, ``course.yaml::<exercise>::<check>``, carrying its points and
visibility as markers (``points(3)``; ``visibility("visible")``, or ``"after_published"`` for a hidden check:
the words of Gradescope's autograder results, https://gradescope-autograders.readthedocs.io/en/latest/specs/).
So ``-k softmax``, ``-x``, ``--junitxml=report.xml``, ``--lf`` and the test explorers of VS Code and PyCharm work
as they do on any pytest suite. The verdicts are the grader's: the selected exercises are graded once, in the
sandboxed worker, by the very nodes ``grader check`` and ``grader grade`` run in their own pytest session
(grader.grading.check_nodes; ``--secret`` for the grade-time inputs and the hidden checks, as ``grader grade``
does): each test runs its check, and passes or fails with it, the failure showing the check's feedback (the
input, expected and got, the hint) rather than a traceback.

The plugin is registered through the ``pytest11`` entry point and does nothing without ``--submission``.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

import pytest

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
    from grader.grading.check_nodes import register_markers

    register_markers(config)
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
        self.files: list[CourseFile] = []

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector):
        if file_path.resolve() == self.course_file:
            self.files.append(CourseFile.from_parent(parent, path=file_path, grading=self))
            return self.files[-1]
        return None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        config.stash[SELECTED] = items  # after -k and -m: the exercises to grade

    def pytest_terminal_summary(self, terminalreporter, config: pytest.Config) -> None:
        from grader.grading.check_nodes import exercise_results

        selected = config.stash.get(SELECTED, [])
        for file in self.files:
            if file.graded.problem:
                terminalreporter.write_line(f"The submission could not be graded: {file.graded.problem}", red=True)
                continue
            results = exercise_results(file.visible, file.hidden)
            if results:
                chosen = sum(1 for item in selected if item.parent.parent is file)
                _summary(terminalreporter, results, None if chosen == file.checks else chosen)


def _summary(terminalreporter, results, selected: int | None) -> None:
    """The score of what ran; ``selected``: how many checks -k or -m chose, if not all."""
    score = sum(exercise.score for exercise in results)
    top = sum(check.max_score for exercise in results for check in exercise.checks)
    which = "score" if selected is None else f"score of the {selected} checks selected"
    terminalreporter.write_sep("=", f"{which}: {float(score):g} / {float(top):g}")
    for exercise in results:
        line = f"{exercise.name}: {float(exercise.score):g} / {float(sum(c.max_score for c in exercise.checks)):g}"
        if exercise.hidden_points and selected is None:
            line += f" (+{float(exercise.hidden_points):g} in hidden checks, graded by your instructor)"
        message = exercise.message.splitlines()[0] if exercise.message else ""
        terminalreporter.write_line(line + (f"  {message}" if message else ""))
        for note in exercise.notes:
            terminalreporter.write_line(f"  note: {note}")


class CourseFile(pytest.File):
    """The course file: an exercise collector per exercise (grader.grading.check_nodes), the hidden passes last;
    set up, it prepares the submission for the exercises selected."""

    def __init__(self, *, grading: SubmissionGrading, **kwargs):
        super().__init__(**kwargs)
        from grader.grading.check_nodes import Grading

        self.grading = grading
        self.graded = Grading(show_output=True)
        self.visible, self.hidden = [], []
        self.checks = 0
        self._stack = ExitStack()

    def collect(self):
        from grader.grading.check_nodes import exercise_nodes

        exercises = self.grading.course.exercises()
        with_hidden = bool(self.config.getoption("grader_secret"))
        self.visible, self.hidden = exercise_nodes(self, self.graded, exercises, exercises if with_hidden else [])
        nodes = [node for node in (*self.visible, *self.hidden) if node.check_names()]
        self.checks = sum(len(node.check_names()) for node in nodes)
        return nodes

    def setup(self) -> None:
        from grader.errors import GraderError
        from grader.grading.submission import prepared

        names = list(dict.fromkeys(item.parent.name for item in self.config.stash.get(SELECTED, [])
                                   if item.parent.parent is self))
        secret = self.config.getoption("grader_secret")
        try:
            self.graded.run = self._stack.enter_context(prepared(
                self.grading.submission, self.grading.course, exercise=names or None,
                sandbox=False if self.config.getoption("grader_no_sandbox") else None,
                secret=Path(secret).resolve() if secret else None))
        except GraderError as error:
            self.graded.problem = str(error)

    def teardown(self) -> None:
        self._stack.close()
