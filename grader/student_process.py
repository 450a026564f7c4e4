"""The grader's side of the boundary: start a worker for one submission and call into it.

Student code never runs in the grader's process. A ``StudentProcess`` starts
grader/sandbox/worker.py in a new process (its own session, so the whole group can be
killed), sends it calls, and turns each answer into a plain ``Returned`` value or a
``Raised`` error; anything that ends a call abnormally becomes an exception below.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from grader.sandbox import wire

WORKER = Path(__file__).parent / "sandbox" / "worker.py"
OUTPUT_CAP_BYTES = 64 * 1024
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Returned:
    """The function returned. ``value`` is a plain numeric ndarray, or None if it had none."""

    kind: str
    """none, ndarray, scalar, sequence or other: what Python type family came back."""
    type_name: str
    value: np.ndarray | None
    args_after: tuple = ()
    """The arguments as they were after the call (asked for with return_args)."""


@dataclass(frozen=True)
class Raised:
    """The function raised an exception; ``message`` is its traceback in the student's files."""

    exception: str
    message: str


class ExerciseStopped(BaseException):
    """Grading of this exercise cannot go on: ``status`` says why, ``message`` says it to the student.

    A BaseException so that Hypothesis does not try to shrink it: it ends the check at once.
    """

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class CallLost(ExerciseStopped):
    """The call never answered: it ran out of time, or the worker died. The worker restarts for the next call."""


class StudentProcess:
    """One worker process for one submission folder, restarted after a call that loses it."""

    def __init__(self, submission: Path, call_timeout: float = 10.0):
        self.submission = Path(submission).resolve()
        self.call_timeout = call_timeout
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._output = tempfile.TemporaryFile(mode="a+b")  # O_APPEND: reading never moves where the worker writes

    def __enter__(self) -> StudentProcess:
        self._connection()  # start now: the worker imports NumPy while the grader loads its references
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def call(self, module: str, function: str, *args, return_args: bool = False, **kwargs) -> Returned | Raised:
        """Call ``module.function(*args, **kwargs)`` in the worker and describe the outcome."""
        conn = self._connection()
        encoded, arrays = wire.pack(list(args) + list(kwargs.values()))
        request = {
            "module": module,
            "function": function,
            "args": encoded[: len(args)],
            "kwargs": encoded[len(args) :],
            "kwarg_names": list(kwargs),
            "return_args": return_args,
        }
        try:
            wire.send(conn, request, arrays)
            if not conn.poll(self.call_timeout):
                self._kill()
                raise CallLost("timeout", f"{function}() did not finish within {self.call_timeout:g} s, so it was stopped.")
            header, reply_arrays = wire.receive(conn)
        except (EOFError, OSError, wire.ProtocolError):
            raise CallLost("crashed", f"{function}() ended the worker process ({self._exit_reason()}).") from None
        return self._decode(header, reply_arrays, function)

    def output(self) -> str:
        """What the student's code printed so far (stdout and stderr), capped at 64 KiB."""
        self._output.flush()
        size = self._output.seek(0, os.SEEK_END)
        self._output.seek(0)
        text = self._output.read(OUTPUT_CAP_BYTES).decode("utf-8", "replace")
        if size > OUTPUT_CAP_BYTES:
            text += f"\n[... {size - OUTPUT_CAP_BYTES} more bytes of output not shown]"
        return text

    def close(self) -> None:
        """Stop the worker and everything it started."""
        self._kill()
        self._output.close()

    def _decode(self, header: dict, arrays: list, function: str) -> Returned | Raised:
        status = header.get("status")
        if status == "returned":
            index = header.get("value")
            value = _plain_array(arrays[index]) if isinstance(index, int) and index < len(arrays) else None
            after = ()
            if "args_after" in header:
                after = tuple(wire.unpack(header["args_after"], arrays[header["args_offset"] :]))
            return Returned(str(header.get("kind")), str(header.get("type")), value, after)
        if status == "raised":
            return Raised(str(header.get("exception")), str(header.get("message")))
        if status == "not_implemented":
            raise ExerciseStopped("not_attempted", f"{function}() still raises NotImplementedError: write it, then check again.")
        if status in ("missing_module", "missing_function", "import_error"):
            raise ExerciseStopped("error", _IMPORT_PROBLEMS[status].format(detail=header.get("message")))
        raise CallLost("crashed", f"the worker for {function}() answered something unreadable.")

    def _connection(self) -> Connection:
        if self._process is None or self._process.poll() is not None:
            self._start()
        return self._conn

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        self._process = subprocess.Popen(
            [sys.executable, "-E", "-s", "-B", "-u", str(WORKER), str(theirs.fileno()), str(self.submission)],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=self._output,
            cwd=self.submission,
            env=env,
            start_new_session=True,
        )
        theirs.close()
        self._conn = Connection(ours.detach())

    def _kill(self) -> None:
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._process.wait()
        self._conn.close()
        self._process = None

    def _exit_reason(self) -> str:
        process = self._process
        try:
            code = process.wait(timeout=2) if process else None
        except subprocess.TimeoutExpired:
            code = None
        self._kill()
        if code is None:
            return "it stopped answering"
        if code < 0:
            return f"killed by signal {signal.Signals(-code).name}"
        return f"exit code {code}: did the code call sys.exit() or os._exit()?"


_IMPORT_PROBLEMS = {
    "missing_module": "{detail}. Put your file in the submission folder with exactly that name.",
    "missing_function": "{detail}. Keep the function name and signature from the stub.",
    "import_error": "The module could not be imported; fix this first:\n{detail}",
}


def _plain_array(array: np.ndarray) -> np.ndarray | None:
    """A decoded array only if it is a plain numeric ndarray; anything else counts as no value."""
    if type(array) is not np.ndarray or array.dtype.kind not in "biufc":
        return None
    return array
