"""Watching a worker from the grader's side: its processes, their CPU time, the files in its private /tmp.

The kernel enforces what it can (grader.sandbox.limits); what it cannot, the grader checks here,
from outside the sandbox: the CPU time of every process the worker started together (so ignoring
SIGXCPU buys nothing), and the number of files in the worker's private /tmp (a tmpfs caps its
bytes, not its files: 500,000 empty files cost half a gigabyte of kernel memory). It reads /tmp
through /proc/<pid>/root, the sandbox's own view, and stops counting past the limit.
"""

from __future__ import annotations

import os

import psutil


def processes(root_pid: int | None, cgroup_pids: list[int] | None) -> list[psutil.Process]:
    """The worker's processes: those of its cgroup where it has one, else its process tree (bubblewrap's too)."""
    try:
        if cgroup_pids is not None:
            return [psutil.Process(pid) for pid in cgroup_pids]
        if root_pid is None:
            return []
        root = psutil.Process(root_pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def cpu_seconds(procs: list[psutil.Process]) -> float:
    """CPU seconds used by these processes and the children they waited for."""
    total = 0.0
    for process in procs:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def left_running(procs: list[psutil.Process]) -> bool:
    """True if anything besides bubblewrap and the worker itself runs: processes or threads it started."""
    try:
        ours = [p for p in procs if p.name() != "bwrap"]
        return len(ours) > 1 or any(p.num_threads() > 1 for p in ours)
    except psutil.Error:
        return True


def tmp_files(procs: list[psutil.Process], limit: int) -> int:
    """Files and folders in the sandbox's private /tmp, counted up to ``limit + 1`` (0 where it cannot be seen)."""
    for process in procs:
        try:
            if process.name() == "bwrap":
                continue
        except psutil.Error:
            continue
        return _count(f"/proc/{process.pid}/root/tmp", limit + 1)
    return 0


def _count(folder: str, most: int) -> int:
    count, pending = 0, [folder]
    while pending and count < most:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    count += 1
                    if count >= most:
                        break
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
        except OSError:
            continue
    return count
