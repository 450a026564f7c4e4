"""The bubblewrap command line: what the sandbox can see, in the order that makes it work."""

from __future__ import annotations

from pathlib import Path

from grader.sandbox.bwrap import SANDBOX_SUBMISSION, bwrap_command, runtime_folders


def test_private_tmp_is_mounted_before_the_runtime(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.sandbox.bwrap.bwrap_path", lambda: "/usr/bin/bwrap")
    command = bwrap_command(Path("/work/grader/sandbox"), tmp_path, 5, ["-u"])
    tmpfs = command.index("--tmpfs")
    for folder in runtime_folders():  # a venv under /tmp would be hidden by a later tmpfs
        assert command.index(str(folder)) > tmpfs
    assert command[command.index(str(tmp_path)) + 1] == SANDBOX_SUBMISSION
    assert command[command.index(str(tmp_path)) - 1] == "--ro-bind"
    assert "--unshare-all" in command and "--die-with-parent" in command
    assert command[-2:] == ["5", SANDBOX_SUBMISSION]


def test_only_the_worker_files_of_the_grader_are_visible():
    command = bwrap_command(Path("/work/grader/sandbox"), Path("/x"), 5, [])
    sources = [command[i + 1] for i, arg in enumerate(command) if arg == "--ro-bind"]
    assert not any(source.endswith(("solutions", "references", "grader")) for source in sources)
