"""GitHub Classroom: the workflow `grader export classroom` writes, and the results `--format classroom` gives.

The rules are the reporter's (classroom-resources/autograding-grading-reporter): a workflow named
"Autograding Tests" with the one job "run-autograding-tests"; each runner step's `result` output is base64 of a
version-3 JSON; the reporter reads it from <RUNNER-ID>_RESULTS, adds up tests[].score and max_score (a runner
with max_score 0 counts for nothing). The tests decode what the step writes and do the reporter's sums."""

from __future__ import annotations

import base64
import json

import yaml
from click.testing import CliRunner

from conftest import COURSE, PROJECT
from corpus import ROOT, assemble
from grader.cli import main
from grader.platforms.classroom import JOB_ID, WORKFLOW_NAME, WORKFLOW_PATH


def visible_points(exercises) -> float:
    return sum(check.points for exercise in exercises for check in exercise.checks.values() if not check.hidden)


def test_the_workflow_follows_the_reporters_rules(tmp_path):
    done = CliRunner().invoke(main, ["export", "classroom", "--out", str(tmp_path), "--assignment", "forward_pass"])
    assert done.exit_code == 0, done.output
    forward_pass = COURSE.only_assignment("forward_pass").exercises()
    assert f"up to {visible_points(forward_pass):g} points" in done.output
    workflow = yaml.safe_load((tmp_path / WORKFLOW_PATH).read_text())
    assert workflow["name"] == WORKFLOW_NAME == "Autograding Tests"
    assert list(workflow["jobs"]) == [JOB_ID] == ["run-autograding-tests"]
    steps = workflow["jobs"][JOB_ID]["steps"]
    runner = next(step for step in steps if "grader check" in step.get("run", ""))
    assert "--format classroom --github-output" in runner["run"] and "--assignment forward_pass" in runner["run"]
    reporter = steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["if"] == "always()"  # a failed check step still reports its points
    assert reporter["with"]["runners"] == runner["id"]
    assert reporter["env"] == {f"{runner['id'].upper()}_RESULTS": f"${{{{ steps.{runner['id']}.outputs.result }}}}"}


def test_an_unknown_assignment_is_said_here(tmp_path):
    done = CliRunner().invoke(main, ["export", "classroom", "--out", str(tmp_path), "--assignment", "nope"])
    assert done.exit_code == 1 and "no assignment named 'nope'" in done.output
    assert not (tmp_path / WORKFLOW_PATH).exists()


def step_output(tmp_path, monkeypatch, *args) -> tuple[dict, str]:
    """Run the workflow's check step as GitHub Actions would; the results the reporter would decode."""
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    done = CliRunner().invoke(main, ["check", *args, "--format", "classroom", "--github-output"])
    assert done.exit_code == 0, done.output
    (line,) = output.read_text().splitlines()
    name, value = line.split("=", 1)
    assert name == "result"
    return json.loads(base64.b64decode(value)), done.output


def test_weighted_points_reach_the_reporter(tmp_path, monkeypatch):
    submission = assemble(ROOT / "buggy" / "softmax_mean_shift", tmp_path)
    results, printed = step_output(tmp_path, monkeypatch, str(submission), "--assignment", "forward_pass")
    forward_pass = COURSE.only_assignment("forward_pass").exercises()
    assert results["version"] == 3 and results["status"] == "fail"
    assert results["max_score"] == visible_points(forward_pass)
    tests = {test["name"]: test for test in results["tests"]}
    assert len(tests) == len(results["tests"])
    points = {f"{e.name}: {name}": check.points for e in forward_pass for name, check in e.checks.items()
              if not check.hidden}
    assert set(tests) == set(points)  # every visible check of the assignment, no hidden one
    for name, test in tests.items():
        assert set(test) >= {"name", "status", "score", "message"}
        assert test["status"] in ("pass", "fail")
        assert test["score"] == (points[name] if test["status"] == "pass" else 0)  # its own weight, not 1 each
    failed = tests["softmax: float16"]
    assert failed["status"] == "fail" and "subtract each slice's maximum" in failed["message"]
    total = sum(test["score"] for test in results["tests"])  # what the reporter posts: Points total/max_score
    assert total == results["max_score"] - points["softmax: float16"]
    assert "float16" in printed  # the step's log shows the student the report


def test_a_submission_that_cannot_be_graded_is_an_error_worth_the_visible_points(tmp_path, monkeypatch):
    results, _ = step_output(tmp_path, monkeypatch, str(tmp_path / "missing"))
    assert results["status"] == "error" and results["tests"][0]["status"] == "error"
    assert "is not a folder" in results["tests"][0]["message"]
    assert results["max_score"] == visible_points(COURSE.exercises()) > 0  # 0 would make the reporter skip it


def test_github_output_outside_actions_is_refused_before_grading(monkeypatch):
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    done = CliRunner().invoke(main, ["check", str(PROJECT / "solutions"), "--format", "classroom", "--github-output"])
    assert done.exit_code == 2 and "$GITHUB_OUTPUT is not set" in done.output


def test_results_fit_in_the_reporters_environment_variable():
    """A student's code chooses how long its messages are (what it raises is in them): the results stay small enough
    for the one environment variable the reporter reads, and still carry every test and its points."""
    from grader.platforms.classroom import RESULT_BYTES, encoded, results
    from grader.grading.results import CheckResult, ExerciseResult, SubmissionResult

    flood = "☃ raised by the student's code\n" * 20_000
    checks = tuple(CheckResult(f"check_{i}", "a check", 2.0, False, feedback=flood, hint=f"hint {i}") for i in range(40))
    payload = results(SubmissionResult("s", (ExerciseResult("softmax", "failed", checks),)))
    assert len(json.dumps(payload, ensure_ascii=False).encode()) <= RESULT_BYTES
    assert len(encoded(payload)) < 128 * 1024  # Linux's limit on one variable (MAX_ARG_STRLEN)
    assert len(payload["tests"]) == 40 and payload["max_score"] == 80
    assert all("grader check shows the whole feedback" in test["message"] for test in payload["tests"])
