"""Hostile submissions: each gets the right verdict, and the grader survives it with nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SECRET, STOPPED_BY_A_LIMIT
from corpus import assemble, entries, expectation
from grader.grading.submission import grade_submission
from grader.sandbox.bwrap import bwrap_path
from grader.sandbox.limits import CGROUP_ROOTS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bwrap_path() is None, reason="the sandbox needs bubblewrap (make setup installs it)"),
]


def worker_processes() -> list[str]:
    """Command lines (with pids) of running grader workers, sandboxed or not."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "worker.py" in text and ("/submission" in text or "sandbox/worker.py" in text):
            found.append(f"{cmdline.parent.name}: {text}")
    return found


def leftover_cgroups() -> list[Path]:
    return [p for root in CGROUP_ROOTS if root.is_dir() for p in root.glob("grader-*")]


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("entry", entries("hostile"), ids=lambda p: p.name)
def test_hostile_submission_gets_its_verdict_and_leaves_nothing(entry, strict_course, tmp_path, verdicts):
    expected = expectation(entry)
    submission = assemble(entry, tmp_path / "class")
    before, parent_before = snapshot(submission), sorted(os.listdir(submission.parent))
    workers_before, cgroups_before = set(worker_processes()), set(leftover_cgroups())

    graded_submission = grade_submission(submission, strict_course, sandbox=True, secret=SECRET)
    result = {e.name: e for e in graded_submission.exercises}
    if expected["status"] not in STOPPED_BY_A_LIMIT and not isinstance(expected["status"], list):
        verdicts.agree(f"hostile/{entry.name}", graded_submission)

    graded = result[expected["exercise"]]
    statuses = expected["status"] if isinstance(expected["status"], list) else [expected["status"]]
    assert graded.status in statuses
    if "says" in expected:
        assert expected["says"] in graded.message + "\n".join(check.feedback for check in graded.checks)
    if "output_says" in expected:
        assert expected["output_says"] in graded.output
    if graded.status != "passed":
        assert graded.score < graded.max_score
    for name, other in result.items():
        if name not in expected.get("affects", [expected["exercise"]]):
            assert other.status == "passed", f"{name}: {other.status} {other.message}"
    assert set(worker_processes()) - workers_before == set()  # another test run may have its own workers
    assert set(leftover_cgroups()) - cgroups_before == set()
    assert snapshot(submission) == before
    assert sorted(os.listdir(submission.parent)) == parent_before
