"""The bubblewrap command line that runs the worker with almost nothing of the filesystem.

Inside: the system's /usr (read-only), the Python runtime (read-only), the worker's two
files, the submission folder (read-only, as /submission), a private /tmp, /proc and /dev.
No network, no other namespace shared, no view of solutions/, the references, other
students or the grader's output. The grader imports this module, never the worker.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SANDBOX_SUBMISSION = "/submission"
SANDBOX_WORKER = "/worker"
SYSTEM_LINKS = ("/bin", "/lib", "/lib32", "/lib64", "/sbin")
TMP_BYTES = 64 * 1024 * 1024


def bwrap_path() -> str | None:
    """The bwrap executable, or None where bubblewrap is not installed."""
    return shutil.which("bwrap")


def runtime_folders() -> list[Path]:
    """The folders the Python interpreter and its packages live in (a venv and its base)."""
    folders = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    return sorted(folder for folder in folders if not str(folder).startswith("/usr"))


def bwrap_command(worker_folder: Path, submission: Path, fd: int, python_args: list[str]) -> list[str]:
    """The full command: bwrap and its mounts, then ``python python_args... worker.py fd /submission``."""
    # The private /tmp comes first: a later mount of the runtime (a venv under /tmp, say) then lands on top of it.
    command = [bwrap_path(), "--unshare-all", "--die-with-parent", "--new-session",
               "--size", str(TMP_BYTES), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
    for link in SYSTEM_LINKS:
        path = Path(link)
        if path.is_symlink():
            command += ["--symlink", str(path.readlink()), link]
        elif path.is_dir():
            command += ["--ro-bind", link, link]
    for config in ("/etc/ld.so.cache", "/etc/localtime"):
        if Path(config).exists():
            command += ["--ro-bind", config, config]
    for folder in runtime_folders():
        command += ["--ro-bind", str(folder), str(folder)]
    command += [
        "--ro-bind", str(worker_folder), SANDBOX_WORKER,
        "--ro-bind", str(submission), SANDBOX_SUBMISSION,
        "--proc", "/proc", "--dev", "/dev",
        "--chdir", SANDBOX_SUBMISSION,
        "--setenv", "HOME", "/tmp",
        sys.executable, *python_args, f"{SANDBOX_WORKER}/worker.py", str(fd), SANDBOX_SUBMISSION,
    ]
    return command
