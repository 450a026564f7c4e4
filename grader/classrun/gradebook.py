"""Grading a whole class: every subfolder (or notebook) of ROOT is one student's submission (grader.classrun.roster).

What lands in OUT:
- ``students/<student>/grading.json``: the full result, with the hashes of the submission and of the
  grading it was graded with. It is written last, in one atomic step, as each submission
  finishes: a submission counts as graded exactly when this file is there.
- ``students/<student>/results.json``: Gradescope's format, for the student.
- ``grades.csv`` and ``summary.json``: the gradebook of every submission graded so far,
  rewritten atomically every FLUSH_SECONDS and at the end.

Grading the same ROOT into the same OUT again skips each submission whose files and
grading are unchanged, so a run that was stopped (even killed) picks up where it left off.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from grader.course import Course
from grader.errors import GraderError, SubmissionError
from grader.classrun.executors import DaskCluster, LocalProcesses, error_result
from grader.classrun.lifetime import run_scratch
from grader.classrun.fingerprint import grading_digest
from grader.grading.reports import gradebook_csv, gradescope_results
from grader.grading.results import SubmissionResult
from grader.classrun.roster import Entry, class_roster
from grader.grading.snapshot import take

RECORD = "grading.json"
STUDENTS = "students"
FLUSH_SECONDS = 5.0


@dataclass
class ClassRun:
    """What a class run did: every submission's result (in ROOT's order), and which were graded now."""

    results: list[SubmissionResult]
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def status_counts(self) -> Counter:
        """Exercises by status, over every submission."""
        return Counter(exercise.status for result in self.results for exercise in result.exercises)

    def closing_line(self, out: Path) -> str:
        counts = ", ".join(f"{count} {status}" for status, count in sorted(self.status_counts().items()))
        skipped = f", {len(self.skipped)} skipped (unchanged since they were graded)" if self.skipped else ""
        graded = f"{len(self.graded)} submission{'' if len(self.graded) == 1 else 's'}"
        return (f"graded {graded} in {self.seconds:.1f} s{skipped}; gradebook of "
                f"{len(self.results)} in {out}. Exercises by status: {counts or 'none'}.")


def grade_class(root: Path, out: Path, course: Course, jobs: int | None = None, sandbox: bool = True,
                console: Console | None = None, scheduler: str | None = None, secret: Path | None = None) -> ClassRun:
    """Grade every submission under ``root`` that is new or changed; keep OUT's gradebook current as they finish.

    ``secret`` is the course secret's folder: the grade-time inputs (None: the public ones, for tests only).
    """
    started = time.monotonic()
    roster = class_roster(root)
    out.mkdir(parents=True, exist_ok=True)
    console = console or Console(stderr=True)
    grading = grading_digest(course, sandbox, secret)
    done: dict[str, SubmissionResult] = {}
    digests, to_grade = {}, []
    for entry in roster:
        digest = _submission_digest(entry)
        digests[entry.name] = digest
        previous = _read_record(student_folder(out, entry.name) / RECORD)
        if previous and previous.get("submission_digest") == digest and previous.get("grading_digest") == grading:
            done[entry.name] = SubmissionResult.from_record(previous["result"])
        else:
            to_grade.append(entry)
    run = ClassRun([], skipped=sorted(done))
    if done:
        console.print(f"{len(done)} of {len(roster)} submissions are unchanged since {out} graded them: skipped.")
    gradebook = _Gradebook(out, [entry.name for entry in roster], [e.name for e in course.exercises()], done)
    for entry in [entry for entry in to_grade if entry.refused]:  # two under one name: neither is graded
        result = error_result(entry.name, course, entry.refused)
        _write_student(out, result, digests[entry.name], grading)
        gradebook.add(result)
        run.graded.append(entry.name)
    to_grade = [entry for entry in to_grade if not entry.refused]
    if to_grade:
        _grade(to_grade, course, sandbox, jobs, scheduler, secret, console, digests, grading, gradebook, run)
    gradebook.flush()
    run.results = gradebook.ordered()
    run.seconds = time.monotonic() - started
    return run


def _grade(submissions: list[Entry], course: Course, sandbox: bool, jobs: int | None, scheduler: str | None,
           secret: Path | None, console: Console, digests: dict, grading: str, gradebook: _Gradebook,
           run: ClassRun) -> None:
    with run_scratch():  # every temporary file of the run's processes, removed even if the run is killed
        _grade_in(submissions, course, sandbox, jobs, scheduler, secret, console, digests, grading, gradebook, run)


def _grade_in(submissions: list[Entry], course: Course, sandbox: bool, jobs: int | None, scheduler: str | None,
              secret: Path | None, console: Console, digests: dict, grading: str, gradebook: _Gradebook,
              run: ClassRun) -> None:
    if scheduler:
        executor = DaskCluster(scheduler, secret=secret)
    else:
        executor = LocalProcesses(max(1, min(jobs or os.cpu_count() or 1, len(submissions))), secret)
    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("left:"), TimeRemainingColumn(), console=console)
    cancel = True
    with _stop_on_sigterm():
        try:
            console.print(f"grading {len(submissions)} submissions on {executor.describe()}")
            with progress:
                task = progress.add_task("grading", total=len(submissions))
                futures = [executor.submit(submission, course, sandbox) for submission in submissions]
                for future in executor.completed(futures):
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        raise GraderError("A grading process died (out of memory, or killed?), so this run stopped. "
                                          "Run the same command again: the submissions graded so far are kept "
                                          "and skipped.") from None
                    _write_student(gradebook.out, result, digests[result.submission], grading)
                    gradebook.add(result)
                    run.graded.append(result.submission)
                    progress.advance(task)
            cancel = False
        finally:
            gradebook.flush()  # what was done, even when stopped halfway
            executor.close(cancel=cancel)


class _Gradebook:
    """grades.csv and summary.json of the submissions graded so far, rewritten at most every FLUSH_SECONDS."""

    def __init__(self, out: Path, names: list[str], exercises: list[str], done: dict[str, SubmissionResult]):
        self.out, self.names, self.exercises, self.done = out, names, exercises, dict(done)
        self._flushed = 0.0

    def add(self, result: SubmissionResult) -> None:
        self.done[result.submission] = result
        if time.monotonic() - self._flushed > FLUSH_SECONDS:
            self.flush()

    def ordered(self) -> list[SubmissionResult]:
        return [self.done[name] for name in self.names if name in self.done]

    def flush(self) -> None:
        ordered = self.ordered()
        _write_atomically(self.out / "summary.json", json.dumps([r.summary() for r in ordered], indent=2) + "\n")
        _write_atomically(self.out / "grades.csv", gradebook_csv(ordered, self.exercises))
        self._flushed = time.monotonic()


def _submission_digest(entry: Entry) -> str:
    """The hash of the files that will be graded; a submission that cannot be read hashes its reason."""
    if entry.refused:
        return hashlib.sha256(f"refused: {entry.refused}".encode()).hexdigest()
    try:
        return take(entry.path).digest()
    except SubmissionError as error:
        return hashlib.sha256(f"refused: {error}".encode()).hexdigest()


def student_folder(out: Path, name: str) -> Path:
    """Where a student's results go: OUT/students/<name>, apart from the gradebook's own files."""
    return out / STUDENTS / name


def _read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("result"), dict) else None


def _write_student(out: Path, result: SubmissionResult, digest: str, grading: str) -> None:
    folder = student_folder(out, result.submission)
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomically(folder / "results.json", json.dumps(gradescope_results(result), indent=2) + "\n")
    record = {"submission_digest": digest, "grading_digest": grading, "graded_at": time.time(),
              "result": result.to_record()}
    _write_atomically(folder / RECORD, json.dumps(record, indent=1) + "\n")  # last: the mark of "graded"


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    os.replace(partial, path)


@contextmanager
def _stop_on_sigterm():
    """SIGTERM stops a run like Ctrl-C does: the gradebook is written for what was graded."""
    if threading.current_thread() is not threading.main_thread():  # signal handlers belong to the main thread
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
