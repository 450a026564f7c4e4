"""Kernel-enforced limits for the worker: rlimits set in the child before it starts, and a
pids cgroup (where the grader may create one) that caps and later kills every process it starts."""

from __future__ import annotations

import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

try:
    import resource
except ImportError:  # native Windows: no rlimits; the grader's own watch (wall clock, CPU time) still stops a call
    resource = None

CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))


@dataclass(frozen=True)
class Limits:
    """What one worker may use: CPU time per exercise it grades, the rest for the worker as a whole."""

    cpu_seconds: int
    memory_bytes: int
    max_processes: int
    max_file_bytes: int
    open_files: int = 256

    def apply(self, exercises: int = 1) -> None:
        """Set the rlimits in the current process (the child, before exec); they pass to all it starts.

        CPU: the soft limit (SIGXCPU) is one exercise's budget; the worker moves it on by one
        budget as each exercise begins, up to the hard limit (SIGKILL), the budget of all of them.
        """
        if resource is None:
            return
        cpu_total = self.cpu_seconds * exercises
        wanted = [(resource.RLIMIT_CPU, (self.cpu_seconds, cpu_total + 1)),
                  (resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes)),
                  (resource.RLIMIT_FSIZE, (self.max_file_bytes, self.max_file_bytes)),
                  (resource.RLIMIT_NOFILE, (self.open_files, self.open_files)),
                  (resource.RLIMIT_CORE, (0, 0))]
        if os.getuid() != 0:  # the kernel does not apply RLIMIT_NPROC to root: the cgroup does it there
            wanted.append((resource.RLIMIT_NPROC, (self.max_processes, self.max_processes)))
        for limit, values in wanted:
            try:
                resource.setrlimit(limit, values)
            except (ValueError, OSError):  # macOS refuses some (RLIMIT_AS): the others and the grader's watch stand
                if limit == resource.RLIMIT_CPU:
                    raise


def rlimits_available() -> bool:
    """False where the system has no rlimits (native Windows): then only the grader's timeouts bound a call."""
    return resource is not None


class PidsCgroup:
    """A pids cgroup of its own: caps the process count and finds every process to kill at the end."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, max_processes: int) -> PidsCgroup | None:
        """A new cgroup under the first writable pids hierarchy, or None where there is none."""
        for root in CGROUP_ROOTS:
            controllers = root / "cgroup.controllers"
            is_v1_pids = (root / "tasks").exists() and root.name == "pids"
            is_v2_pids = controllers.exists() and "pids" in controllers.read_text().split()
            if not (is_v1_pids or is_v2_pids):
                continue
            path = root / f"grader-{uuid.uuid4().hex[:12]}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(max_processes))
            except OSError:
                continue
            return cls(path)
        return None

    def join(self) -> None:
        """Move the calling process into the cgroup (called in the child, before exec)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def pids(self) -> list[int]:
        try:
            return [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> None:
        """SIGKILL every process in the cgroup until none is left, then remove the cgroup."""
        for _ in range(500):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)  # killed processes leave cgroup.procs once the kernel has reaped them
        try:
            self.path.rmdir()
        except OSError:
            pass
