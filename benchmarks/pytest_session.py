"""What one pytest session per submission would add to class grading: the time of an in-process pytest session
that collects and runs as many (empty) items as the course has checks, beside `grader grade` of a class of
copies of the solutions on one process (``--jobs 1``, as a session is one process), measured in the same run. The ratio is what `grader grade` would cost more if it ran
each submission's checks in a pytest session of its own (issue 13 asks whether pytest should run the grading).

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


def session_seconds(checks: int, sessions: int) -> list[float]:
    """Wall seconds of each of ``sessions`` in-process pytest sessions of ``checks`` empty items."""
    _Course.checks = checks
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "course.yaml"
        course.write_text("{}\n")
        for _ in range(sessions):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                code = pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", tmp, str(course)], plugins=[_Collect()])
            times.append(time.perf_counter() - start)
            if code != 0:
                raise SystemExit(f"the pytest session failed (exit {code})")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--class-size", type=int, default=40)
    args = parser.parse_args()

    from grader.course import load_course

    checks = sum(len(exercise.checks) for exercise in load_course().exercises())
    times = session_seconds(checks, args.sessions)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "class"
        for index in range(args.class_size):
            shutil.copytree(PROJECT / "solutions", root / f"student{index:04d}")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "grade", str(root), "--out", str(Path(tmp) / "out"),
                        "--secret", str(PROJECT / "tests" / "secret"), "--jobs", "1"], cwd=PROJECT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        grade = (time.perf_counter() - start) / args.class_size
    session = statistics.median(times[1:])  # the first one imports pytest's plugins
    print(f"pytest session, {checks} empty items, in process: median {session * 1000:.0f} ms "
          f"(first {times[0] * 1000:.0f} ms, of {args.sessions})")
    print(f"grader grade --jobs 1, {args.class_size} copies of the solutions: {grade:.3f} s per submission")
    print(f"one pytest session per submission would add {session / grade:.0%} to grading a class")


if __name__ == "__main__":
    main()
