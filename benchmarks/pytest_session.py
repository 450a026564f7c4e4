"""What running each submission's checks in a pytest session of its own adds to class grading.

pytest runs the grading: ``grade_submission`` runs each submission's checks in an in-process pytest session
(grader.grading.session). This measures such a session with as many (empty) items as the course has checks,
in the form grading runs it (``ARGUMENTS``: no plugins but pytest's core, nothing collected from disk) and in
pytest's default form (a file collected, every installed plugin), beside `grader grade` of a class of copies
of the solutions on one process (``--jobs 1``, as a session is one process), all in the same run. The ratios
are the share of grading time each form of session takes. And, grading the solutions in this process, the
time pytest itself takes: the session's time less the check nodes' own work (their setup, checks and teardown).

Usage: python benchmarks/pytest_session.py [--sessions 30] [--class-size 40]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


class _Check(pytest.Item):
    def runtest(self) -> None:
        pass


class _Course(pytest.File):
    checks = 0

    def collect(self):
        for index in range(self.checks):
            yield _Check.from_parent(self, name=f"check{index}")


class _Collect:
    def pytest_collect_file(self, file_path: Path, parent):
        return _Course.from_parent(parent, path=file_path) if file_path.name == "course.yaml" else None


class _Items:
    """As grader.grading.session collects: the items made by the plugin, nothing read from disk."""

    def __init__(self, course: Path):
        self.course = course

    def pytest_collection(self, session: pytest.Session) -> bool:
        session.items = list(_Course.from_parent(session, path=self.course).collect())
        session.testscollected = len(session.items)
        return True


def session_seconds(checks: int, sessions: int, lean: bool) -> list[float]:
    """Wall seconds of each of ``sessions`` in-process pytest sessions of ``checks`` empty items: as grading runs
    them (``lean``), or in pytest's default form."""
    from grader.grading.session import ARGUMENTS

    _Course.checks = checks
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course.yaml"
        course.write_text("{}\n")
        for _ in range(sessions):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                if lean:
                    code = pytest.main(list(ARGUMENTS), plugins=[_Items(course)])
                else:
                    code = pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", tmp, str(course)],
                                       plugins=[_Collect()])
            times.append(time.perf_counter() - start)
            if code != 0:
                raise SystemExit(f"the pytest session failed (exit {code})")
    return times


def pytest_time_in_grading(submissions: int) -> tuple[float, float]:
    """Median seconds, over ``submissions`` gradings of the solutions in this process (unsandboxed: the sandbox adds
    nothing pytest does), of pytest's own work (the session's time less the check nodes' setup, checks and
    teardown) and of the whole ``grade_submission``."""
    from grader.course import load_course
    from grader.grading import check_nodes, session
    from grader.grading.submission import grade_submission

    nodes, in_session = [0.0], [0.0]

    def timed(method, total: list[float]):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                total[0] += time.perf_counter() - start
        return run

    node = check_nodes.ExerciseNode
    originals = node.setup, node.run_check, node.teardown, session.run_checks
    node.setup, node.run_check, node.teardown = (timed(method, nodes) for method in originals[:3])
    session.run_checks = timed(session.run_checks, in_session)  # grade_submission imports it when called
    course, own, whole = load_course(), [], []
    try:
        for index in range(submissions + 1):
            nodes[0] = in_session[0] = 0.0
            start = time.perf_counter()
            grade_submission(PROJECT / "solutions", course, sandbox=False, secret=PROJECT / "tests" / "secret")
            if index:  # the first loads the references
                whole.append(time.perf_counter() - start)
                own.append(in_session[0] - nodes[0])
    finally:
        node.setup, node.run_check, node.teardown, session.run_checks = originals
    return statistics.median(own), statistics.median(whole)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--class-size", type=int, default=40)
    args = parser.parse_args()

    from grader.course import load_course

    checks = sum(len(exercise.checks) for exercise in load_course().exercises())
    lean = statistics.median(session_seconds(checks, args.sessions, lean=True)[1:])  # the first imports plugins
    default = statistics.median(session_seconds(checks, args.sessions, lean=False)[1:])
    own, whole = pytest_time_in_grading(args.sessions)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "class"
        for index in range(args.class_size):
            shutil.copytree(PROJECT / "solutions", root / f"student{index:04d}")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "grade", str(root), "--out", str(Path(tmp) / "out"),
                        "--secret", str(PROJECT / "tests" / "secret"), "--jobs", "1"], cwd=PROJECT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        grade = (time.perf_counter() - start) / args.class_size
    print(f"pytest session of {checks} empty items, in process, median of {args.sessions}: as grading runs it "
          f"{lean * 1000:.0f} ms; in pytest's default form {default * 1000:.0f} ms")
    print(f"grading the solutions in process, median of {args.sessions}: pytest's own work {own * 1000:.0f} ms of "
          f"{whole * 1000:.0f} ms ({own / whole:.1%})")
    print(f"grader grade --jobs 1, {args.class_size} copies of the solutions: {grade:.3f} s per submission")
    print(f"share of grading time: the grading session {lean / grade:.1%}; "
          f"a default session would take {default / grade:.1%}")


if __name__ == "__main__":
    main()
