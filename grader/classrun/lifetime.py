"""Nothing a class run starts outlives it, even when the run itself is killed with SIGKILL.

Every process the run starts (the grading processes, the Keras service, an unsandboxed worker)
asks the kernel for SIGKILL when its parent dies (``die_with_parent``; bubblewrap does the same
for sandboxed workers with ``--die-with-parent``). The files they make go to one scratch folder
(``run_scratch``: TMPDIR points there), which a small janitor process removes once the run's
process is gone, however it ended. The Keras service's socket is in the abstract namespace: it
leaves no file.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PR_SET_PDEATHSIG = 1
JANITOR = """
import os, shutil, sys, time
parent, folder = int(sys.argv[1]), sys.argv[2]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    if not os.path.isdir(folder):
        sys.exit(0)
    time.sleep(0.5)
time.sleep(1.0)  # the run's children die with it: let them go first
shutil.rmtree(folder, ignore_errors=True)
"""


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; elsewhere nothing happens).

    A parent that died before the request (a process starting up takes a while: spawn imports modules first) is
    not waited for: with ``parent``, the pid it had, this process ends at once if its parent is no longer that one.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


@contextmanager
def run_scratch() -> Iterator[Path]:
    """A scratch folder for the run, where its processes' temporary files go; removed afterwards, or by the janitor
    if the run is killed."""
    folder = Path(tempfile.mkdtemp(prefix="grader-run-"))
    janitor = subprocess.Popen([sys.executable, "-I", "-S", "-c", JANITOR, str(os.getpid()), str(folder)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    previous = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(folder)
    try:
        yield folder
    finally:
        if previous is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous
        shutil.rmtree(folder, ignore_errors=True)
        janitor.wait(5)
