"""Where a class is graded: worker processes on this machine (the default), or a Dask cluster.

Both grade one submission per task with ``grade_submission`` (sandboxed where the task runs)
and hand back its ``SubmissionResult``; the gradebook is written on the instructor's machine.
A process keeps its references and recorded Keras results loaded between submissions. Live
Keras results (for a failing submission's shrunk inputs) come, on this machine, from one Keras
service for the whole run (grader.oracle.service); a Dask worker imports TensorFlow itself, once.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from grader.oracle import service as keras_service
from grader.course import Course
from grader.errors import GraderError, SubmissionError
from grader.classrun.fingerprint import grading_digest
from grader.oracle.service import KerasService
from grader.classrun.lifetime import die_with_parent
from grader.grading.results import CheckResult, ExerciseResult, SubmissionResult
from grader.classrun.roster import Entry
from grader.references.secret import secret_files
from grader.grading.snapshot import Snapshot, take


def grade_folder(submission: Path | Snapshot, course: Course, sandbox: bool, secret: Path | None,
                 name: str) -> SubmissionResult:
    """Grade one submission (on the grade-time inputs of ``secret``), filed as ``name``; one that cannot be graded
    gets a result that says why."""
    from grader.grading.submission import grade_submission, graded_course

    try:
        return replace(grade_submission(submission, course, sandbox=sandbox, secret=secret), submission=name)
    except Exception as error:  # noqa: BLE001 - one broken submission never stops the class
        reason = str(error) if isinstance(error, SubmissionError) else f"{type(error).__name__}: {error}"
        return error_result(name, graded_course(submission, course), f"This submission could not be graded: {reason}")


def error_result(name: str, course: Course, message: str) -> SubmissionResult:
    """Every exercise of ``course`` at 0 with status error and ``message``."""
    return SubmissionResult(name, tuple(
        ExerciseResult(e.name, "error", tuple(CheckResult(n, n, c.points, False, message, c.hidden, ran=False)
                                              for n, c in e.checks.items()), message)
        for e in course.exercises()
    ))


def grade_snapshot(snapshot: Snapshot, course: Course, sandbox: bool, expected_digest: str,
                   secret: dict[str, bytes] | None, name: str) -> SubmissionResult:
    """Runs on a Dask worker: refuse to grade with another grader, else grade the snapshot.

    ``secret`` is the secret folder's files, sent by the instructor's machine: written once per worker
    process into a private folder.
    """
    folder = _secret_copy(tuple(sorted(secret.items()))) if secret else None
    if grading_digest(course, sandbox, folder) != expected_digest:
        raise GraderError(f"The Dask worker on {os.uname().nodename} has a different version of the grader "
                          "(its code or reference data differ from the instructor's): install the same "
                          "version there (pip install -e . from the same commit), then grade again.")
    return grade_folder(snapshot, course, sandbox, folder, name)


@lru_cache(maxsize=2)
def _secret_copy(files: tuple[tuple[str, bytes], ...]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="grader-secret-"))
    atexit.register(shutil.rmtree, folder, True)
    for name, data in files:
        (folder / Path(name).name).write_bytes(data)
    return folder


def _grading_process(keras_address, parent: int) -> None:
    """How a local grading process starts: it dies with the run, and asks the run's Keras service."""
    die_with_parent(parent)
    keras_service.use(keras_address)


CONNECT_SECONDS = 10.0
"""How long to try reaching a Dask scheduler before saying it cannot be reached."""


class LocalProcesses:
    """``jobs`` grading processes on this machine (spawned: no state shared with the caller), sharing one
    Keras service: TensorFlow is imported once for the run, and only if a failing submission needs it."""

    def __init__(self, jobs: int, secret: Path | None = None):
        self.jobs, self.secret = jobs, secret
        self._keras = KerasService()
        self._pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_grading_process, initargs=(self._keras.address, os.getpid()))

    def describe(self) -> str:
        return f"{self.jobs} local process{'es' if self.jobs > 1 else ''}"

    def submit(self, entry: Entry, course: Course, sandbox: bool) -> Future:
        return self._pool.submit(grade_folder, entry.path, course, sandbox, self.secret, entry.name)

    def completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        return futures_completed(list(futures))

    def close(self, cancel: bool = False) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)
        self._keras.close()


class DaskCluster:
    """The workers of a running Dask scheduler; each submission travels to them as its files' bytes."""

    def __init__(self, address: str, timeout: float | None = None, secret: Path | None = None):
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
        self._secret = None
        self.secret = secret

    def describe(self) -> str:
        workers = self.client.scheduler_info().get("workers", {})
        return f"the Dask cluster at {self.address} ({len(workers)} workers)"

    def submit(self, entry: Entry, course: Course, sandbox: bool):
        if self._grading is None:  # the same course, sandbox and secret for every submission of a run
            self._grading = grading_digest(course, sandbox, self.secret)
            if self.secret:  # sent once to every worker, not with each submission
                self._secret = self.client.scatter(secret_files(self.secret), broadcast=True, hash=False)
        from grader.grading.submission import graded_course

        key = f"grade-{os.urandom(8).hex()}"
        try:
            snapshot = take(entry.path)
        except SubmissionError as error:  # read here, so refused here: the same sentence as a local run gives
            return self.client.submit(error_result, entry.name, graded_course(entry.path, course),
                                      f"This submission could not be graded: {error}", pure=False, key=key)
        return self.client.submit(grade_snapshot, snapshot, course, sandbox, self._grading, self._secret, entry.name,
                                  pure=False, key=key)

    def completed(self, futures: Iterable) -> Iterator:
        from distributed import as_completed

        return as_completed(list(futures))

    def close(self, cancel: bool = False) -> None:
        self.client.close()
