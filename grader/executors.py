"""Where a class is graded: worker processes on this machine (the default), or a Dask cluster.

Both grade one submission per task with ``grade_submission`` (sandboxed where the task runs)
and hand back its ``SubmissionResult``; the gradebook is written on the instructor's machine.
A process keeps its references and recorded Keras results loaded between submissions. Live
Keras results (for a failing submission's shrunk inputs) come, on this machine, from one Keras
service for the whole run (grader.keras_service); a Dask worker imports TensorFlow itself, once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from pathlib import Path

from grader import keras_service
from grader.course import Course
from grader.errors import GraderError, SubmissionError
from grader.fingerprint import grading_digest
from grader.keras_service import KerasService
from grader.results import CheckResult, ExerciseResult, SubmissionResult
from grader.snapshot import Snapshot, take


def grade_folder(submission: Path | Snapshot, course: Course, sandbox: bool) -> SubmissionResult:
    """Grade one submission; a submission that cannot be graded at all gets a result that says why."""
    from grader.grading import grade_submission

    name = submission.name if isinstance(submission, Snapshot) else student_name(submission)
    try:
        return grade_submission(submission, course, sandbox=sandbox)
    except Exception as error:  # noqa: BLE001 - one broken submission never stops the class
        reason = str(error) if isinstance(error, SubmissionError) else f"{type(error).__name__}: {error}"
        return error_result(name, course, f"This submission could not be graded: {reason}")


def error_result(name: str, course: Course, message: str) -> SubmissionResult:
    """Every exercise of ``course`` at 0 with status error and ``message``."""
    return SubmissionResult(name, tuple(
        ExerciseResult(e.name, "error", tuple(CheckResult(n, n, c.points, False, message, c.hidden, ran=False)
                                              for n, c in e.checks.items()), message)
        for e in course.exercises()
    ))


def student_name(submission: Path) -> str:
    """The student a submission belongs to: its folder's name, or its notebook's name without .ipynb."""
    return submission.stem if submission.suffix == ".ipynb" else submission.name


def grade_snapshot(snapshot: Snapshot, course: Course, sandbox: bool, expected_digest: str) -> SubmissionResult:
    """Runs on a Dask worker: refuse to grade with another grader, else grade the snapshot."""
    if grading_digest(course, sandbox) != expected_digest:
        raise GraderError(f"The Dask worker on {os.uname().nodename} has a different version of the grader "
                          "(its code or reference data differ from the instructor's): install the same "
                          "version there (pip install -e . from the same commit), then grade again.")
    return grade_folder(snapshot, course, sandbox)


CONNECT_SECONDS = 10.0
"""How long to try reaching a Dask scheduler before saying it cannot be reached."""


class LocalProcesses:
    """``jobs`` grading processes on this machine (spawned: no state shared with the caller), sharing one
    Keras service: TensorFlow is imported once for the run, and only if a failing submission needs it."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._keras = KerasService()
        self._pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=keras_service.use, initargs=(self._keras.address,))

    def describe(self) -> str:
        return f"{self.jobs} local process{'es' if self.jobs > 1 else ''}"

    def submit(self, folder: Path, course: Course, sandbox: bool) -> Future:
        return self._pool.submit(grade_folder, folder, course, sandbox)

    def completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        return futures_completed(list(futures))

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)
        self._keras.close()


class DaskCluster:
    """The workers of a running Dask scheduler; each submission travels to them as its files' bytes."""

    def __init__(self, address: str, timeout: float | None = None):
        try:
            from distributed import Client
        except ImportError as error:
            raise GraderError("Grading on a Dask cluster needs dask.distributed: pip install -e . installs it.") from error
        try:
            self.client = Client(address, timeout=timeout or CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            raise GraderError(f"Could not reach the Dask scheduler at {address} ({error}). Start one with "
                              "`dask scheduler` and workers with `dask worker ADDRESS`, or leave out "
                              "--scheduler to grade on this machine.") from None
        self.address = address
        self._grading: str | None = None

    def describe(self) -> str:
        workers = self.client.scheduler_info().get("workers", {})
        return f"the Dask cluster at {self.address} ({len(workers)} workers)"

    def submit(self, folder: Path, course: Course, sandbox: bool):
        if self._grading is None:  # the same course and sandbox for every submission of a run
            self._grading = grading_digest(course, sandbox)
        key = f"grade-{os.urandom(8).hex()}"
        try:
            snapshot = take(folder)
        except SubmissionError as error:  # read here, so refused here: the same sentence as a local run gives
            return self.client.submit(error_result, student_name(folder), course,
                                      f"This submission could not be graded: {error}", pure=False, key=key)
        return self.client.submit(grade_snapshot, snapshot, course, sandbox, self._grading, pure=False, key=key)

    def completed(self, futures: Iterable) -> Iterator:
        from distributed import as_completed

        return as_completed(list(futures))

    def close(self, cancel: bool = False) -> None:
        self.client.close()
