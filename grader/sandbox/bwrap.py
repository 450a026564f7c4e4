"""The bubblewrap command line that runs the worker with almost nothing of the filesystem.

Inside, read-only: the system's shared libraries (/usr/lib/<arch>, /usr/lib64), the Python
interpreter and its standard library (with any package folder in it covered by an empty
tmpfs), and NumPy alone at /packages (grader.sandbox.packages); the worker's two files; the
submission folder as /submission. Then a private /tmp, /proc and /dev. No network, no other
namespace shared. Nothing else of /usr is there (no system Python packages), and no venv: so
TensorFlow, Keras, SciPy, the kit itself, its data and the course's secret are not there to
import or read, however the kit was installed (editable, wheel, system packages, container).
The grader imports this module, never the worker.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path

from grader.sandbox.packages import SANDBOX_PACKAGES, allowed_packages

SANDBOX_SUBMISSION = "/submission"
SANDBOX_WORKER = "/worker"
SYSTEM_LINKS = ("/bin", "/lib", "/lib32", "/lib64", "/sbin")
TMP_BYTES = 64 * 1024 * 1024
PACKAGE_FOLDERS = ("site-packages", "dist-packages", "python3*/site-packages", "python3*/dist-packages")


def bwrap_path() -> str | None:
    """The bwrap executable, or None where bubblewrap is not installed."""
    return shutil.which("bwrap")


@lru_cache(maxsize=None)
def bwrap_works(user: str | None = None) -> bool:
    """Whether bubblewrap can make its sandbox here, run by ``user`` if given: containers (Gradescope's, Docker's
    defaults) often forbid the namespaces it needs, and then every call would fail."""
    path = bwrap_path()
    if path is None:
        return False
    switch = {"user": user, "extra_groups": []} if user else {}
    try:
        done = subprocess.run([path, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                              capture_output=True, timeout=30, **switch)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


BROKEN = ("bubblewrap (bwrap) is installed but cannot make its sandbox on this machine: unprivileged user namespaces "
          "are off (Ubuntu 24.04's AppArmor rule, a container's seccomp profile, or a kernel setting).")


def sandbox_warning() -> str | None:
    """Why code would run unsandboxed here, for a warning; None when bubblewrap works."""
    if bwrap_path() is None:
        return "bubblewrap (bwrap) is not installed, so your code runs in a plain process, not sandboxed."
    if not bwrap_works():
        return f"{BROKEN} Your code runs in a plain process, not sandboxed."
    return None


def limits_warning() -> str | None:
    """Why a call is bounded by timeouts only here, for a warning; None where the rlimits apply."""
    from grader.sandbox.limits import rlimits_available

    if rlimits_available():
        return None
    return ("this system has no rlimits (Python's resource module), so only the timeouts bound your code: "
            "an endless loop is stopped, a runaway allocation is not.")


def interpreter() -> Path:
    """The real Python executable (not a venv's link to it): the sandbox has no venv."""
    return Path(sys.executable).resolve()


def system_library_folders() -> list[Path]:
    """The folders of the system's shared libraries (libc, libm, libz, ...), which Python and NumPy load."""
    arch = sysconfig.get_config_var("MULTIARCH") or ""
    candidates = [Path("/usr/lib") / arch, Path("/usr/lib64"), Path("/usr/lib32")] if arch else [Path("/usr/lib")]
    return [folder for folder in candidates if folder.is_dir() and not folder.is_symlink()]


def runtime_folders() -> list[Path]:
    """The interpreter's standard library, and its own library folder where that lies outside /usr."""
    folders = {Path(os.__file__).resolve().parent}
    libdir = sysconfig.get_config_var("LIBDIR")
    if libdir and not str(Path(libdir).resolve()).startswith("/usr/"):
        folders.add(Path(libdir).resolve())
    return sorted(f for f in folders if not any(other in f.parents for other in folders))


def masked_folders(private_folders: tuple[Path, ...] = ()) -> list[Path]:
    """Folders inside the mounted ones that must look empty: installed packages, and the instructor's folders."""
    mounted = [*system_library_folders(), *runtime_folders()]
    found = {Path(p) for folder in runtime_folders() for pattern in PACKAGE_FOLDERS
             for p in glob.glob(str(folder / pattern))}
    candidates = {p.resolve() for p in found | set(private_folders) if p.is_dir()}
    inside = [p for p in candidates if any(p == m or m in p.parents for m in mounted)]
    return sorted(p for p in inside if not any(other in p.parents for other in inside))


def bwrap_command(worker_folder: Path, submission: Path, fd: int, python_args: list[str],
                  private_folders: tuple[Path, ...] = ()) -> list[str]:
    """The full command: bwrap and its mounts, then ``python python_args... worker.py fd /submission``.

    ``private_folders`` (the kit, the course, the secret) are hidden should a mounted folder hold them.
    """
    # The private /tmp comes first: a later mount of the runtime (a Python under /tmp, say) then lands on top of it.
    command = [bwrap_path(), "--unshare-all", "--die-with-parent", "--new-session",
               "--size", str(TMP_BYTES), "--tmpfs", "/tmp"]
    for folder in system_library_folders():
        command += ["--ro-bind", str(folder), str(folder)]
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
    command += ["--ro-bind", str(interpreter()), str(interpreter())]
    for folder in masked_folders(private_folders):
        command += ["--tmpfs", str(folder), "--remount-ro", str(folder)]
    for name, source in allowed_packages().items():
        command += ["--ro-bind", str(source), f"{SANDBOX_PACKAGES}/{name}"]
    command += [
        "--ro-bind", str(worker_folder / "worker.py"), f"{SANDBOX_WORKER}/worker.py",
        "--ro-bind", str(worker_folder / "wire.py"), f"{SANDBOX_WORKER}/wire.py",
        "--ro-bind", str(submission), SANDBOX_SUBMISSION,
        "--proc", "/proc", "--dev", "/dev",
        "--chdir", SANDBOX_SUBMISSION,
        "--setenv", "HOME", "/tmp",
        "--setenv", "GRADER_SITE_PACKAGES", SANDBOX_PACKAGES,
        str(interpreter()), *python_args, f"{SANDBOX_WORKER}/worker.py", str(fd), SANDBOX_SUBMISSION,
    ]
    return command
