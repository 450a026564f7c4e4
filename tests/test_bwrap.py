"""The bubblewrap command line: what the sandbox can see, in the order that makes it work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import PROJECT_ROOT
from grader.sandbox.bwrap import SANDBOX_SUBMISSION, bwrap_command, bwrap_path, runtime_folders
from grader.sandbox.packages import allowed_packages

WORKER = PROJECT_ROOT / "grader" / "sandbox"


def _sources(command: list[str]) -> list[str]:
    return [command[i + 1] for i, arg in enumerate(command) if arg == "--ro-bind"]


def test_private_tmp_is_mounted_before_the_runtime(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.sandbox.bwrap.bwrap_path", lambda: "/usr/bin/bwrap")
    command = bwrap_command(WORKER, tmp_path, 5, ["-u"])
    tmpfs = command.index("--tmpfs")
    for folder in runtime_folders():  # a Python under /tmp would be hidden by a later tmpfs
        assert command.index(str(folder)) > tmpfs
    assert command[command.index(str(tmp_path)) + 1] == SANDBOX_SUBMISSION
    assert command[command.index(str(tmp_path)) - 1] == "--ro-bind"
    assert "--unshare-all" in command and "--die-with-parent" in command
    assert command[-2:] == ["5", SANDBOX_SUBMISSION]


def test_of_the_grader_only_the_two_worker_files_and_of_the_packages_only_numpy_are_mounted():
    sources = _sources(bwrap_command(WORKER, Path("/x"), 5, []))
    grader_files = [s for s in sources if s.startswith(str(PROJECT_ROOT)) and s != "/x"]
    assert sorted(Path(s).name for s in grader_files if "site-packages" not in s) == ["wire.py", "worker.py"]
    assert "/usr" not in sources and sys.prefix not in sources
    packages = [s for s in sources if "-packages" in s]
    assert sorted(packages) == sorted(str(p) for p in allowed_packages().values())


@pytest.mark.skipif(bwrap_path() is None, reason="the sandbox needs bubblewrap (make setup installs it)")
def test_inside_the_sandbox_only_the_standard_library_and_numpy_import(tmp_path):
    # Every folder that could hold packages goes on sys.path first: what still fails to import is not there.
    (tmp_path / "probe.py").write_text(
        "import importlib, os, sys\n"
        "for folder, subfolders, _ in os.walk('/'):\n"
        "    subfolders[:] = [f for f in subfolders if os.path.join(folder, f) not in ('/proc', '/sys', '/dev')]\n"
        "    if os.path.basename(folder) in ('site-packages', 'dist-packages'):\n"
        "        sys.path.append(folder)\n"
        "sys.path.append('/packages')\n"
        "found = []\n"
        "for name in ('numpy', 'tensorflow', 'keras', 'scipy', 'sklearn', 'torch', 'jax', 'hypothesis', 'grader',\n"
        "             'solutions', 'pydantic', 'yaml', 'nbgrader'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "        found.append(name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "print(' '.join(found))\n"
    )
    command = bwrap_command(WORKER, tmp_path, 0, ["-I", "-S"])
    command = command[:-3] + [f"{SANDBOX_SUBMISSION}/probe.py"]  # the interpreter runs the probe instead of the worker
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["numpy"]
