"""The grader's side of the boundary: start a worker for one submission and call into it.

Student code never runs in the grader's process. A ``StudentProcess`` starts
grader/sandbox/worker.py in a new process, inside bubblewrap where it is available
(grader/sandbox/bwrap.py), under kernel limits (grader/sandbox/limits.py), with its output
drained into a capped buffer (grader/sandbox/output.py). It sends the worker calls and turns
each answer into a plain ``Returned`` value or a ``Raised`` error; anything that ends a call
abnormally becomes an exception below.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Union

import numpy as np
import psutil

from grader.classrun.lifetime import die_with_parent
from grader.sandbox import watch, wire
from grader.sandbox.bwrap import bwrap_command
from grader.sandbox.packages import linked_packages
from grader.sandbox.limits import Limits, PidsCgroup
from grader.sandbox.output import CapturedOutput

WORKER_FOLDER = Path(__file__).parents[1] / "sandbox"
PYTHON_FLAGS = ["-I", "-S", "-B", "-u"]  # isolated (no PYTHON* variables, no user site), no site import, no .pyc files, unbuffered
CPU_WATCH_SECONDS = 0.25
MESSAGE_BYTES = 64 * 2**20
"""The most one message of replies may carry."""
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker runs: sandboxed or not, its limits, and what it may not import."""

    sandbox: bool
    limits: Limits
    call_timeout: float
    output_bytes: int
    forbidden_modules: tuple[str, ...] = ()
    exercise_seconds: float = 120.0
    submission_seconds: float = 900.0
    tmp_files: int = 10_000
    private_folders: tuple[Path, ...] = ()
    """Folders of the instructor's (the kit, the course, the secret): hidden from the sandbox wherever they are."""
    worker_user: tuple[int, int] | None = None
    """(uid, gid) the worker runs as when the grader is root (Gradescope runs its autograder as root)."""


@dataclass(frozen=True)
class Returned:
    """The function returned. ``value`` is a plain numeric ndarray, or None if it had none."""

    kind: str
    """none, ndarray, scalar, sequence or other: what Python type family came back."""
    type_name: str
    value: np.ndarray | None
    args_after: tuple = ()
    """The arguments as they were after the call (asked for with return_args)."""
    items: tuple | None = None
    """For a list or tuple: each item as a plain numeric array, or None where it is not one."""


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


@dataclass(frozen=True)
class Request:
    """One call to make in the worker: encoded for the wire, and the arguments it was made from."""

    function: str
    header: dict
    arrays: list
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    return_args: bool = False

    def same_call(self, args: tuple, kwargs: dict, return_args: bool) -> bool:
        """True if calling with these arguments is this very call (equal values, types, dtypes and shapes)."""
        return return_args == self.return_args and _same(args, self.args) and _same(kwargs, self.kwargs)


def _same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, wire.SeededRng):
        return a.seed == b.seed
    return a == b or (a != a and b != b)  # NaN is the same NaN


Outcome = Union[Returned, Raised, ExerciseStopped]


class StudentProcess:
    """One worker process for one submission folder (all its exercises), restarted after a call that loses it.

    ``begin_exercise`` marks where each exercise starts: the worker gives it a fresh CPU budget
    and its own record of forbidden imports, and the output printed from then on is that
    exercise's. The kernel's hard CPU limit is the budget of all ``exercises`` together.
    """

    def __init__(self, submission: Path, settings: WorkerSettings, exercises: int = 1):
        self.submission = Path(submission).resolve()
        self.settings = settings
        self.exercises = max(1, exercises)
        self.exercise = ""
        self._begun = 0
        self._tmp_checked = 0.0
        self._exercise_used = self._submission_used = 0.0
        """Seconds spent in the student's calls (the grader's own work between calls, Keras' included, is not the
        student's: a busy grading machine never times a student out)."""
        self._call_started: float | None = None
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._cgroup: PidsCgroup | None = None
        self._output = CapturedOutput(settings.output_bytes * self.exercises)
        self._cpu_at_start = 0.0

    def __enter__(self) -> StudentProcess:
        self._connection()  # start now: the worker imports NumPy while the grader loads its references
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def begin_exercise(self, name: str) -> int:
        """Calls from now on belong to exercise ``name``; returns where its output starts (see ``output``).

        If the code graded so far left processes or threads running (a fork bomb, a sleeping
        child, a busy thread), the worker is replaced first: one exercise's leftovers never
        cost another exercise points or time.
        """
        self.exercise = name
        self._begun += 1
        if self._process is not None and watch.left_running(self._processes()):
            self._kill()
        self._cpu_at_start = watch.cpu_seconds(self._processes()) if self._process is not None else 0.0
        self._exercise_used = 0.0
        return self._output.mark()

    @staticmethod
    def request(module: str, function: str, *args, return_args: bool = False, **kwargs) -> Request:
        """The call ``module.function(*args, **kwargs)``, encoded for the worker."""
        encoded, arrays = wire.pack(list(args) + list(kwargs.values()))
        header = {"module": module, "function": function, "args": encoded[: len(args)],
                  "kwargs": encoded[len(args) :], "kwarg_names": list(kwargs), "return_args": return_args}
        return Request(function, header, arrays, args, kwargs, return_args)

    def call(self, module: str, function: str, *args, return_args: bool = False, **kwargs) -> Returned | Raised:
        """Call ``module.function(*args, **kwargs)`` in the worker and describe the outcome."""
        outcome = self.call_many([self.request(module, function, *args, return_args=return_args, **kwargs)])[0]
        if isinstance(outcome, ExerciseStopped):
            raise outcome
        return outcome

    def call_many(self, requests: list[Request]) -> list[Outcome]:
        """Make the calls in one message; the worker answers each as it finishes, each within the call timeout.

        Returns one outcome per call, in order; a call that stops the exercise gives its
        ExerciseStopped. A lost call (timeout, dead worker) ends the list early: the calls
        after it were never made, and the next call starts a new worker.
        """
        out_of_time = self._out_of_time(requests[0].function, time.monotonic())
        if out_of_time is not None:
            return [out_of_time]
        conn = self._connection()
        self._call_started = time.monotonic()
        try:
            return self._make_calls(conn, requests)
        finally:
            spent = time.monotonic() - self._call_started
            self._exercise_used += spent
            self._submission_used += spent
            self._call_started = None

    def _make_calls(self, conn: Connection, requests: list[Request]) -> list[Outcome]:
        header, arrays = {"exercise": self._begun, "calls": []}, []  # only its changes matter to the worker
        for request in requests:
            header["calls"].append(dict(request.header, first_array=len(arrays), array_count=len(request.arrays)))
            arrays += request.arrays
        outcomes: list[Outcome] = []
        timeout = self.settings.call_timeout + wire.FLUSH_SECONDS  # replies come together: allow for the wait
        try:
            wire.send(conn, header, arrays)
        except OSError:
            return [self._lost(requests[0].function)]
        while len(outcomes) < len(requests):
            function = requests[len(outcomes)].function
            try:
                stopped = self._wait(conn, timeout, function)
                if stopped:
                    self._kill()
                    outcomes.append(stopped)
                    break
                message, message_arrays = wire.receive(conn, MESSAGE_BYTES)
                replies = message["replies"]
                if not isinstance(replies, list) or not replies or len(outcomes) + len(replies) > len(requests):
                    raise wire.ProtocolError("not a list of replies to the calls made")
            except wire.TooLarge:
                outcomes.append(self._too_large(function, MESSAGE_BYTES))
                break
            except (EOFError, OSError, KeyError, wire.ProtocolError):
                outcomes.append(self._lost(function))
                break
            if self._tmp_flooded():
                outcomes.append(CallLost("memory", f"{function}() made more than {self.settings.tmp_files} files in "
                                                   "/tmp, so it was stopped."))
                self._kill()
                break
            for reply in replies:
                function = requests[len(outcomes)].function
                try:
                    first, count = int(reply["first_array"]), int(reply["array_count"])
                    arrays_of_reply = message_arrays[first : first + count]
                    if sum(array.nbytes for array in arrays_of_reply) > wire.CALL_BYTES:
                        outcomes.append(self._too_large(function, wire.CALL_BYTES))
                        break
                    outcomes.append(self._decode(reply, arrays_of_reply, function))
                except (KeyError, TypeError, ValueError):
                    outcomes.append(CallLost("crashed", f"the worker for {function}() answered something unreadable."))
                except ExerciseStopped as stop:
                    outcomes.append(stop)

            if outcomes and isinstance(outcomes[-1], CallLost):
                self._kill()
                break
        return outcomes

    def _wait(self, conn: Connection, timeout: float, function: str) -> CallLost | None:
        """Wait for the worker's next message; the reason to stop it if it runs out of time or room first.

        Fast calls answer within the first slice. A slow one is also watched: the wall clock of
        the call, the exercise and the submission; the exercise's CPU budget (plus the second the
        kernel's SIGKILL would allow), counted over every process the worker started, so
        ignoring SIGXCPU does not buy more; and the files in its private /tmp.
        """
        deadline = time.monotonic() + timeout
        while not conn.poll(min(CPU_WATCH_SECONDS, max(0.0, deadline - time.monotonic()))):
            now = time.monotonic()
            if now >= deadline:
                return CallLost("timeout", f"{function}() did not finish within {self.settings.call_timeout:g} s, "
                                           "so it was stopped.")
            stop = self._out_of_time(function, now)
            if stop is not None:
                return stop
            procs = self._processes()
            if watch.cpu_seconds(procs) - self._cpu_at_start > self.settings.limits.cpu_seconds + 1:
                return CallLost("timeout", f"{function}() used more than {self.settings.limits.cpu_seconds} s of CPU "
                                           "time, so it was stopped.")
            if self._tmp_flooded(procs):
                return CallLost("memory", f"{function}() made more than {self.settings.tmp_files} files in /tmp, so "
                                          "it was stopped.")
        return None

    def _tmp_flooded(self, procs: list[psutil.Process] | None = None) -> bool:
        """True if the sandbox's /tmp holds more files than allowed; looked at most every CPU_WATCH_SECONDS."""
        now = time.monotonic()
        if not self.settings.sandbox or now - self._tmp_checked < CPU_WATCH_SECONDS:
            return False
        self._tmp_checked = now
        procs = self._processes() if procs is None else procs
        return watch.tmp_files(procs, self.settings.tmp_files) > self.settings.tmp_files

    def _out_of_time(self, function: str, now: float) -> CallLost | None:
        """A stop if the exercise's or the whole submission's calls have used their wall-clock time (sleeps count
        too; the grader's own work between calls does not)."""
        running = now - self._call_started if self._call_started is not None else 0.0
        if self._submission_used + running >= self.settings.submission_seconds:
            return CallLost("timeout", f"The submission's calls used its {self.settings.submission_seconds:g} s of "
                                       f"grading time (wall clock), so {function}() was stopped there.")
        if self._exercise_used + running >= self.settings.exercise_seconds:
            return CallLost("timeout", f"The exercise's calls used its {self.settings.exercise_seconds:g} s of "
                                       f"grading time (wall clock, sleeps included), so {function}() was stopped there.")
        return None

    def _too_large(self, function: str, limit: int) -> CallLost:
        self._kill()
        return CallLost("memory", _too_large_message(function, limit))

    def _processes(self) -> list[psutil.Process]:
        pid = self._process.pid if self._process is not None else None
        return watch.processes(pid, self._cgroup.pids() if self._cgroup is not None else None)

    def output(self, start: int = 0, end: int | None = None) -> str:
        """What the student's code printed (stdout and stderr), capped; between two marks if given."""
        return self._output.text(start, end)

    def mark(self) -> int:
        """Where the output stands now, once everything printed so far has been read."""
        return self._output.mark()

    def close(self) -> None:
        """Stop the worker and everything it started; then the output is complete."""
        self._kill()
        self._output.close()

    def _decode(self, header: dict, arrays: list, function: str) -> Returned | Raised:
        forbidden = header.get("forbidden")
        if forbidden:  # the worker's record is in reach of the student's code: only known names count
            known = sorted(set(self.settings.forbidden_modules).intersection(map(str, forbidden))) \
                if isinstance(forbidden, list) else []
            raise ExerciseStopped("forbidden", forbidden_message(known or ["a forbidden library"]))
        status = header.get("status")
        if status == "returned":
            index = header.get("value")
            value = _plain_array(arrays[index]) if isinstance(index, int) and index < len(arrays) else None
            after = ()
            if "args_after" in header:
                after = tuple(wire.unpack(header["args_after"], arrays[header["args_offset"] :]))
            items = None
            if isinstance(header.get("items"), list):
                items = tuple(_plain_array(arrays[i]) if isinstance(i, int) and i < len(arrays) else None
                              for i in header["items"])
            return Returned(wire.capped(header.get("kind"), 20), wire.capped(header.get("type"), 200), value, after, items)
        if status == "raised":
            if header.get("exception") == "MemoryError":
                raise ExerciseStopped("memory", f"{function}() ran out of memory: it may use at most "
                                      f"{self.settings.limits.memory_bytes // 2**20} MiB.")
            return Raised(wire.capped(header.get("exception"), 100), wire.capped(header.get("message")))
        if status == "too_large":
            raise ExerciseStopped("memory", _too_large_message(function, wire.CALL_BYTES))
        if status == "not_implemented":
            raise ExerciseStopped("not_attempted", f"{function}() still raises NotImplementedError: write it, then check again.")
        if status in ("missing_module", "missing_function", "import_error"):
            raise ExerciseStopped("error", _IMPORT_PROBLEMS[status].format(detail=wire.capped(header.get("message"))))
        raise CallLost("crashed", f"the worker for {function}() answered something unreadable.")

    def _connection(self) -> Connection:
        if self._process is not None and self._process.poll() is not None:
            self._kill()  # it died on its own: still reap it and remove its cgroup
        if self._process is None:
            self._start()
        return self._conn

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        fd = theirs.fileno()
        if self.settings.sandbox:
            command = bwrap_command(WORKER_FOLDER, self.submission, fd, PYTHON_FLAGS, self.settings.private_folders)
        else:
            command = [sys.executable, *PYTHON_FLAGS, str(WORKER_FOLDER / "worker.py"), str(fd), str(self.submission)]
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   GRADER_FORBIDDEN_MODULES=",".join(self.settings.forbidden_modules),
                   GRADER_CPU_SECONDS=str(self.settings.limits.cpu_seconds), GRADER_SITE_PACKAGES=str(linked_packages()))
        self._cgroup = PidsCgroup.create(self.settings.limits.max_processes)
        self._parent = os.getpid()
        self._process = subprocess.Popen(
            command,
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            stdout=self._output.write_fd,
            stderr=self._output.write_fd,
            cwd=self.submission,
            env=env,
            start_new_session=True,
            preexec_fn=self._child_setup,
        )
        theirs.close()
        self._conn = Connection(ours.detach())
        self._cpu_at_start = 0.0

    def _child_setup(self) -> None:
        """Runs in the child between fork and exec: join the cgroup, take on the limits, become the worker's user
        if there is one, and die with the grader (last: a change of user clears that request)."""
        if self._cgroup is not None:
            self._cgroup.join()
        self.settings.limits.apply(self.exercises)
        if self.settings.worker_user is not None:
            uid, gid = self.settings.worker_user
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
        die_with_parent(self._parent)

    def _kill(self) -> None:
        if self._process is None:
            return
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self._cgroup is not None:
            self._cgroup.kill_all()
        self._process.wait()
        self._conn.close()
        self._process = None

    def _lost(self, function: str) -> CallLost:
        process = self._process
        try:
            code = process.wait(timeout=2) if process else None
        except subprocess.TimeoutExpired:
            code = None
        self._kill()
        if code is None:
            return CallLost("crashed", f"{function}() stopped answering, so it was stopped.")
        signal_number = -code if code < 0 else (code - 128 if self.settings.sandbox and code > 128 else None)
        if signal_number in (signal.SIGXCPU, signal.SIGKILL):  # RLIMIT_CPU: SIGXCPU, then SIGKILL if ignored
            return CallLost("timeout", f"{function}() used more than {self.settings.limits.cpu_seconds} s of CPU "
                                       "time, so the kernel stopped it.")
        if signal_number:
            return CallLost("crashed", f"{function}() ended the worker process (killed by signal "
                                       f"{signal.Signals(signal_number).name}).")
        return CallLost("crashed", f"{function}() ended the worker process (exit code {code}: did the code call "
                                   "sys.exit() or os._exit()?).")


def _too_large_message(function: str, limit: int) -> str:
    return (f"{function}() answered with more than {limit // 2**20} MiB at once, far more than any right answer: "
            "look for an array of the wrong size (an outer product, a broadcast gone wrong).")


def forbidden_message(modules: list[str]) -> str:
    """The sentence for a submission that used a library the exercise is about writing by hand."""
    return (f"Your code imports {', '.join(modules)}, which is not allowed here: the exercise is to compute this "
            "with NumPy yourself. Remove the import and write the computation with np.* operations.")


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
