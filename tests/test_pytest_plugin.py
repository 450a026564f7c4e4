"""`pytest --submission DIR` runs the course's checks as pytest tests, with the verdicts of `grader check`."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import COURSE, PROJECT, SECRET
from corpus import ROOT, assemble
from grader.grading.submission import grade_submission


def run_pytest(tmp_path: Path, submission: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    """pytest, as a student runs it (the plugin from its entry point), in a folder of its own; the JUnit verdicts."""
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.xml"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--submission", str(submission), "--course", str(PROJECT / "course.yaml"),
         f"--junitxml={report}", "-p", "no:cacheprovider", "-q", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=900)
    verdicts = {}
    if report.is_file():
        for case in ET.parse(report).getroot().iter("testcase"):
            exercise = case.get("classname").rsplit(".", 1)[1]
            failed = case.find("failure") is not None or case.find("error") is not None
            points = {p.get("name"): p.get("value") for p in case.iter("property")}
            points = {name: value if name == "visibility" else float(value) for name, value in points.items()}
            verdicts[(exercise, case.get("name"))] = ("skipped" if case.find("skipped") is not None
                                                      else "failed" if failed else "passed", points)
    return completed, verdicts


def grader_verdicts(result) -> dict:
    return {(exercise.name, check.name): ("passed" if check.passed else "failed",
                                          {"points": check.max_score, "score": check.score,
                                           "visibility": "after_published" if check.hidden else "visible"})
            for exercise in result.exercises for check in exercise.checks}


@pytest.mark.slow  # a pytest run and a grading each
def test_the_solutions_pass_every_visible_check_as_grader_check_says(tmp_path):
    completed, verdicts = run_pytest(tmp_path, PROJECT / "solutions")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    expected = grader_verdicts(grade_submission(PROJECT / "solutions", COURSE))
    assert verdicts == expected
    visible = {(e.name, c) for e in COURSE.exercises() for c, check in e.checks.items() if not check.hidden}
    assert set(verdicts) == visible
    public = sum(points["points"] for _, points in verdicts.values())
    assert f"score: {public:g} / {public:g}" in completed.stdout


@pytest.mark.slow  # a pytest run and a grading each
def test_a_buggy_submission_fails_the_same_checks_with_the_same_feedback(tmp_path):
    submission = assemble(ROOT / "buggy" / "softmax_overflow", tmp_path / "class")
    completed, verdicts = run_pytest(tmp_path, submission)
    direct = grade_submission(submission, COURSE)
    assert verdicts == grader_verdicts(direct)
    failed = [(e.name, c) for e in direct.exercises for c in e.checks if not c.passed]
    assert failed and completed.returncode == 1
    for exercise, check in failed:
        assert f"course.yaml::{exercise}::{check.name}" in completed.stdout
        assert check.feedback.splitlines()[-1] in completed.stdout  # the hint, not a traceback
    assert "Traceback" not in completed.stdout


@pytest.mark.slow  # a pytest run and a grading each
def test_one_exercise_with_k_and_the_grade_time_inputs_with_secret(tmp_path):
    submission = assemble(ROOT / "buggy" / "softmax_overflow", tmp_path / "class")
    completed, verdicts = run_pytest(tmp_path, submission, "-k", "softmax and not dense", "--secret", str(SECRET))
    direct = grade_submission(submission, COURSE, exercise="softmax", secret=SECRET)
    assert verdicts == grader_verdicts(direct)
    assert set(verdicts) == {("softmax", check) for check in COURSE.exercises("softmax")[0].checks}  # hidden too


def test_a_missing_submission_or_a_stray_file_is_a_sentence(tmp_path):
    completed, verdicts = run_pytest(tmp_path, tmp_path / "nowhere")
    assert completed.returncode == 4 and not verdicts  # pytest's usage error
    assert "there is no such file or folder" in completed.stderr and "Traceback" not in completed.stderr
    module = PROJECT / "solutions" / f"{COURSE.exercises()[0].module}.py"  # `pytest exercises/softmax.py`, say
    completed, verdicts = run_pytest(tmp_path, module)
    assert completed.returncode == 4 and not verdicts
    assert f"{module.name} is neither a folder nor a notebook" in completed.stderr


@pytest.mark.slow  # a pytest run and a grading
def test_an_exercise_stopped_by_one_problem_says_it_once(tmp_path):
    first = COURSE.exercises()[0]
    submission = assemble(ROOT / "correct" / next(p.name for p in (ROOT / "correct").iterdir()), tmp_path / "class")
    (submission / f"{first.module}.py").write_text("def broken(:\n")
    completed, verdicts = run_pytest(tmp_path, submission, "-k", first.name)
    assert all(verdict == "failed" for (exercise, _), (verdict, _) in verdicts.items() if exercise == first.name)
    # Only the failure reports: under CI=1 (as on CI machines) pytest's short summary repeats each message in full.
    reports = completed.stdout.split("short test summary info")[0]
    assert reports.count("Not run: the problem shown for") == len(
        [name for name, check in first.checks.items() if not check.hidden]) - 1
    assert "score of the" in completed.stdout  # -k: the score of what was selected, not of everything graded
