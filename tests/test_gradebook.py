"""A class run keeps its gradebook: results land as each submission finishes, and a rerun skips what is done."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import FULL_MARKS, PROJECT, SECRET
from corpus import ROOT, assemble
from grader.classrun.gradebook import RECORD, grade_class
from grader.grading.results import SubmissionResult
from grader.sandbox.bwrap import bwrap_path
from test_hostile import leftover_cgroups

GRADER = PROJECT / ".venv" / "bin" / "grader"


def small_class(root):
    """Four submissions: full marks, a bug, a syntax error, and the untouched stubs."""
    assemble(ROOT / "correct" / "loops", root)
    assemble(ROOT / "buggy" / "softmax_overflow", root)
    assemble(ROOT / "broken" / "syntax_error", root)
    (root / "stub_student").mkdir()
    for stub in (PROJECT / "exercises").glob("*.py"):
        (root / "stub_student" / stub.name).write_text(stub.read_text())
    return root


def test_a_result_round_trips_through_its_record(course, tmp_path):
    from grader.grading.submission import grade_submission

    folder = assemble(ROOT / "correct" / "float64_everywhere", tmp_path)  # notes on softmax
    (folder / "dense.py").write_text((ROOT / "buggy" / "dense_no_bias" / "dense.py").read_text())  # feedback
    result = grade_submission(folder, course.only_assignment("forward_pass"), sandbox=False)
    assert any(e.notes for e in result.exercises) and any(c.feedback for e in result.exercises for c in e.checks)
    assert SubmissionResult.from_record(json.loads(json.dumps(result.to_record()))) == result


def test_a_rerun_skips_what_is_unchanged_and_regrades_what_changed(course, tmp_path):
    root, out = small_class(tmp_path / "class"), tmp_path / "out"
    first = grade_class(root, out, course, jobs=2, sandbox=False, secret=SECRET)
    assert sorted(first.graded) == sorted(r.submission for r in first.results) and not first.skipped
    marks = {name: json.loads((out / "students" / name / RECORD).read_text())["graded_at"] for name in first.graded}

    again = grade_class(root, out, course, jobs=2, sandbox=False, secret=SECRET)
    assert again.graded == [] and sorted(again.skipped) == sorted(first.graded)
    assert [r.summary() for r in again.results] == [r.summary() for r in first.results]
    assert {name: json.loads((out / "students" / name / RECORD).read_text())["graded_at"] for name in first.graded} == marks

    fixed = (root / "softmax_overflow" / "softmax.py")
    fixed.write_text((PROJECT / "solutions" / "softmax.py").read_text())
    third = grade_class(root, out, course, jobs=2, sandbox=False, secret=SECRET)
    assert third.graded == ["softmax_overflow"] and len(third.skipped) == 3
    assert "graded 1 submission " in third.closing_line(out) and "3 skipped" in third.closing_line(out)
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert rows["softmax_overflow"]["softmax"] == rows["loops"]["softmax"]


def test_another_course_setting_means_grading_again(course, tmp_path):
    root, out = small_class(tmp_path / "class"), tmp_path / "out"
    grade_class(root, out, course, jobs=2, sandbox=False, secret=SECRET)
    limits = course.limits.model_copy(update={"output_kb": course.limits.output_kb + 1})
    changed = grade_class(root, out, course.model_copy(update={"limits": limits}), jobs=2, sandbox=False, secret=SECRET)
    assert len(changed.graded) == 4 and not changed.skipped


@pytest.mark.slow
@pytest.mark.skipif(bwrap_path() is None, reason="the sandbox needs bubblewrap (make setup installs it)")
def test_a_run_killed_halfway_leaves_a_consistent_gradebook_and_a_rerun_finishes_it(tmp_path):
    root, out = tmp_path / "class", tmp_path / "out"
    root.mkdir()
    for index in range(16):
        assemble(ROOT / "correct" / "loops", tmp_path / "staging" / f"{index:02d}").rename(root / f"student_{index:02d}")
    cgroups_before = set(leftover_cgroups())
    run = subprocess.Popen([str(GRADER), "grade", str(root), "--out", str(out), "--jobs", "1", "--secret", str(SECRET)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list(out.glob(f"students/*/{RECORD}"))) < 4 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    assert run.poll() is None, f"grader grade ended before it could be stopped:\n{run.stdout.read().decode()[-2000:]}"
    os.killpg(run.pid, signal.SIGKILL)  # the harshest stop: no chance to tidy up
    run.wait()
    for cgroup in set(leftover_cgroups()) - cgroups_before:  # a SIGKILLed grader cannot remove its cgroups
        for _ in range(60):  # its processes leave once the kernel has reaped them
            try:
                cgroup.rmdir()
                break
            except OSError:
                time.sleep(0.05)

    graded_first = {path.parent.name: json.loads(path.read_text()) for path in out.glob(f"students/*/{RECORD}")}
    assert 4 <= len(graded_first) < 16, "the run should have been stopped partway"
    if (out / "grades.csv").exists():  # the last gradebook written is a subset of what was recorded
        rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
        assert set(rows) <= set(graded_first)
        for name, row in rows.items():
            assert float(row["total"]) == SubmissionResult.from_record(graded_first[name]["result"]).score

    rerun = subprocess.run([str(GRADER), "grade", str(root), "--out", str(out), "--jobs", "2", "--secret", str(SECRET)],
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(graded_first)} of 16 submissions are unchanged" in rerun.stderr
    assert f"graded {16 - len(graded_first)} submission" in rerun.stdout
    records = {path.parent.name: json.loads(path.read_text()) for path in out.glob(f"students/*/{RECORD}")}
    assert len(records) == 16
    for name, record in graded_first.items():  # not graded twice: the first run's records stand
        assert records[name]["graded_at"] == record["graded_at"]
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [row["student"] for row in rows] == [f"student_{i:02d}" for i in range(16)]
    assert {row["total"] for row in rows} == {f"{FULL_MARKS:g}"}
