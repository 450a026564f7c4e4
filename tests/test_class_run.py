"""A class-sized run: 100 submissions, 15 of them hostile, graded in parallel and sandboxed."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from conftest import SECRET
from corpus import assemble, entries, expectation
from grader.classrun.gradebook import grade_class
from grader.grading.submission import grade_submission
from grader.sandbox.bwrap import bwrap_path
from test_hostile import leftover_cgroups, worker_processes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bwrap_path() is None, reason="the sandbox needs bubblewrap (make setup installs it)"),
]


def honest_entries():
    """Honest submissions whose every answer is a function of the input (a submission drawing unseeded random
    numbers gets the same score every time, but not the same numbers in its feedback)."""
    return [entry for entry in entries("correct") + entries("buggy") if not (entry / "expect.yaml").is_file() or not expectation(entry).get("random")]


def test_hundred_submissions_with_fifteen_hostile(strict_course, tmp_path):
    root, staging = tmp_path / "class", tmp_path / "staging"
    hostile = entries("hostile")[:15]
    for entry in hostile:
        shutil.move(assemble(entry, staging), root / f"hostile_{entry.name}")
    honest = {}
    for index in range(85):
        entry = honest_entries()[index % len(honest_entries())]
        name = f"honest_{index:02d}_{entry.name}"
        shutil.move(assemble(entry, staging / name), root / name)
        honest[name] = entry

    workers_before, cgroups_before = set(worker_processes()), set(leftover_cgroups())
    run = grade_class(root, tmp_path / "out", strict_course, jobs=2, sandbox=True, secret=SECRET)
    results = run.results
    assert sorted(run.graded) == sorted(r.submission for r in results) and not run.skipped

    assert len(results) == 100
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    assert len(rows) == 100 and all(row["total"] for row in rows)
    assert len(json.loads((tmp_path / "out" / "summary.json").read_text())) == 100
    assert len(list((tmp_path / "out").glob("students/*/results.json"))) == 100

    alone = {}
    for entry in set(honest.values()):
        summary = grade_submission(assemble(entry, tmp_path / "alone"), strict_course, sandbox=True,
                                   secret=SECRET).summary()
        alone[entry] = summary
    for result in results:
        if result.submission in honest:
            in_class, by_itself = result.summary(), dict(alone[honest[result.submission]])
            in_class.pop("submission"), by_itself.pop("submission")
            assert in_class == by_itself, result.submission

    assert set(worker_processes()) - workers_before == set()
    assert set(leftover_cgroups()) - cgroups_before == set()
