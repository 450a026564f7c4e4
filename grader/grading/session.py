"""The pytest session that grades one submission, in the grader's process: ``run_checks``.

``grade_submission`` (and so ``grader check``, ``grader grade``, Gradescope, nbgrader) hands its prepared
submission here; pytest runs the exercises' check nodes (grader.grading.check_nodes) and the results are read
from them. The session is pytest's own (setup, call and teardown of each node, reports), kept to what grading
needs, so that it costs little beside the grading (``benchmarks/pytest_session.py`` measures it) and nothing
from the environment can change a grade:

- no conftest.py is imported (``--noconftest``): the grader's working folder may be a student's;
- no plugin is loaded but pytest's core ones (``--disable-plugin-autoload``, ``-p no:...``), and the
  ``PYTEST_ADDOPTS`` and ``PYTEST_PLUGINS`` of the instructor's shell are not read (an ``-x`` there would stop
  a submission at its first failing check);
- no ini file is read (``-c`` the null device), nothing is collected from disk, nothing is written (no cache).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from grader.errors import GraderError
from grader.grading.check_nodes import ExerciseNode, Grading, exercise_nodes, exercise_results, register_markers
from grader.grading.results import ExerciseResult

if TYPE_CHECKING:
    from grader.grading.submission import SubmissionRun

UNUSED_PLUGINS = ("terminal", "junitxml", "doctest", "pastebin", "logging", "faulthandler", "warnings", "stepwise",
                  "tmpdir", "monkeypatch", "recwarn", "unittest", "legacypath", "capture", "setuponly", "setupplan",
                  "debugging", "python_path", "threadexception", "unraisableexception", "cacheprovider", "python",
                  "skipping", "subtests", "assertion", "nose")
"""pytest's plugins a grading session does without: output, capture, collection from files, debugging, and
the unraisable- and thread-exception plugins, whose garbage collection per session costs tens of ms."""

ARGUMENTS = ("--disable-plugin-autoload", "--noconftest", "-c", os.devnull, "--rootdir", os.path.dirname(__file__),
             *(argument for plugin in UNUSED_PLUGINS for argument in ("-p", f"no:{plugin}")))

ENVIRONMENT = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_CURRENT_TEST")
"""Read or written by pytest: kept out of the grading session, and as they were for the caller's."""

_one_session = threading.RLock()
"""pytest reads and writes os.environ: one session at a time in a process. Reentrant: a session may start inside
one (a grader function handed in as the answer, and called by a check), and must not wait for it forever."""


class _Checks:
    """The plugin of the session: the submission's check nodes are what it collects."""

    def __init__(self, run: SubmissionRun):
        self.run = run
        self.visible: list[ExerciseNode] = []
        self.hidden: list[ExerciseNode] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        register_markers(config)

    def pytest_collection(self, session: pytest.Session) -> bool:
        self.visible, self.hidden = exercise_nodes(session, Grading(self.run), self.run.exercises, self.run.hidden)
        session.items = [item for node in (*self.visible, *self.hidden) for item in node.collect()]
        session.testscollected = len(session.items)
        return True


def run_checks(run: SubmissionRun) -> tuple[ExerciseResult, ...]:
    """Run the checks of ``run``'s exercises in a pytest session; each exercise's result, in course order."""
    checks = _Checks(run)
    with _one_session, _environment_kept():
        code = pytest.main(list(ARGUMENTS), plugins=[checks])
    if code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    for node in (*checks.visible, *checks.hidden):
        if node.error is not None:
            raise node.error
    for node in checks.visible:  # an exercise without a visible check to run still begins, and has a result
        if not node.check_names() and node.graded_here():
            node.setup()
            node.teardown()
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise GraderError(f"pytest could not run the checks (its exit code: {code!r}); please tell your instructor.")
    return exercise_results(checks.visible, checks.hidden)


@contextmanager
def _environment_kept() -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in ENVIRONMENT if name in os.environ}
    try:
        yield
    finally:
        for name in ENVIRONMENT:
            os.environ.pop(name, None)
        os.environ.update(saved)
