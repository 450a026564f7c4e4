"""GitHub Classroom: the autograding workflow (``grader export classroom``) and its results (``--format classroom``).

GitHub Classroom records a score only from its reporter action, classroom-resources/autograding-grading-reporter,
which reads each runner step's ``result`` output: a base64-encoded JSON object, "version 3", of this shape
(that action's README and src/notify-classroom.js; its own runners, e.g. autograding-python-grader, emit it)::

    {"version": 3, "status": "pass" | "fail" | "error", "max_score": N,
     "tests": [{"name": ..., "status": "pass" | "fail" | "error", "score": points, "message": ..., ...}]}

The reporter adds up ``tests[].score`` for the points and ``max_score`` for the maximum (a runner whose
max_score is 0 counts for nothing), and posts "Points x/y" on the check run named ``Autograding Tests``. So
the workflow must be named ``Autograding Tests`` and have one job, ``run-autograding-tests``, and every
check reports its own weighted points: Classroom's Python runner would give each test the same weight.

What runs there is ``grader check`` on the student's own repository, with the public references the
handout ships: the hidden checks and the grade-time inputs never go to GitHub, where a student with
write access to the repository could read them (or rewrite the workflow and its score). The Classroom
score is the student's feedback and a progress signal; the grade is ``grader grade`` on the collected
repositories, with the course secret.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from grader.course import Course
from grader.errors import GraderError
from grader.grading.feedback import grouped_with
from grader.grading.results import STATUSES, SubmissionResult

WORKFLOW_NAME = "Autograding Tests"
JOB_ID = "run-autograding-tests"
RUNNER_ID = "exercises"
"""The id of the step that runs the checks: the reporter reads its output from the EXERCISES_RESULTS variable."""
WORKFLOW_PATH = Path(".github/workflows/classroom.yml")
PYTHON_VERSION = "3.11"

WORKFLOW = """\
# GitHub Classroom autograding for "{title}"{assignment_note}.
# Made by `grader export classroom`. Classroom records a score only if the workflow is named
# "{workflow}" and has the one job "{job}" (classroom-resources/autograding-grading-reporter).
name: {workflow}
on:
  - push
  - repository_dispatch
  - workflow_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  {job}:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "{python}"
          cache: pip
      - name: Install the checks
        run: |
          sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends bubblewrap || true
          python -m pip install --upgrade pip
          python -m pip install -e .
      - name: Check the exercises
        id: {runner}
        run: grader check{assignment_option} --format classroom --github-output
      - name: Autograding Reporter
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          {runner_variable}: "${{{{ steps.{runner}.outputs.result }}}}"
        with:
          runners: {runner}
"""


def workflow(course: Course, assignment: str | None = None) -> str:
    """The workflow file's text, for ``assignment`` (or every exercise of the handout)."""
    if assignment is not None:
        course.only_assignment(assignment)  # an unknown name is said here, not on GitHub
    return WORKFLOW.format(
        title=course.title, workflow=WORKFLOW_NAME, job=JOB_ID, runner=RUNNER_ID, python=PYTHON_VERSION,
        runner_variable=f"{RUNNER_ID.upper()}_RESULTS",
        assignment_note=f", assignment {assignment}" if assignment else "",
        assignment_option=f" --assignment {assignment}" if assignment else "",
    )


def write_workflow(folder: Path, course: Course, assignment: str | None = None) -> Path:
    """Write the workflow into ``folder`` (the handout, or the assignment's template repository); return its path."""
    path = folder / WORKFLOW_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(workflow(course, assignment))
    return path


def _status(passed: bool) -> str:
    return "pass" if passed else "fail"


def results(result: SubmissionResult) -> dict:
    """The version-3 results of one ``grader check``: one test per check, with the check's own points."""
    tests = []
    for exercise in result.exercises:
        grouped = grouped_with(exercise)
        for check in exercise.checks:
            if check.passed:
                message = ""
            elif check.name in grouped:  # one mistake's block is shown once, at its first check
                message = f"Failed with the same hint as '{exercise.name}: {grouped[check.name]}'.\nHint: {check.hint}"
            elif not check.ran:
                message = exercise.message or STATUSES[exercise.status]
            else:
                message = check.feedback
            tests.append({
                "name": f"{exercise.name}: {check.name}",
                "status": _status(check.passed),
                "score": check.score,
                "message": message,
                "test_code": check.title,
            })
    passed = all(test["status"] == "pass" for test in tests)
    return _within_budget({"version": 3, "status": _status(passed), "max_score": result.max_score, "tests": tests})


RESULT_BYTES = 48 * 1024
"""The most JSON one runner hands on. The reporter reads it from one environment variable, and Linux refuses to
start a program whose variable exceeds 128 KiB (MAX_ARG_STRLEN): 48 KiB of JSON is 64 KiB of base64, well below."""
MESSAGE_STEPS = (4000, 1000, 200, 0)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters: grader check shows the whole feedback)"


def _within_budget(payload: dict) -> dict:
    """The results with messages cut, more and more, until they fit in RESULT_BYTES (a student's code can make its
    messages as long as it likes: what it raises and prints is in them)."""
    messages = [test["message"] for test in payload["tests"]]
    for limit in MESSAGE_STEPS:
        for test, message in zip(payload["tests"], messages):
            test["message"] = _cut(message, limit)
        if len(_json(payload)) <= RESULT_BYTES:
            break
    return payload


def _json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def error_results(message: str, max_score: float) -> dict:
    """What the runner reports when the checks could not run at all: 0 of ``max_score`` points, and why (with a
    max_score of 0 the reporter would skip the runner, and Classroom would keep an older score)."""
    return {"version": 3, "status": "error", "max_score": max_score,
            "tests": [{"name": "grader check", "status": "error", "score": 0, "message": message, "test_code": ""}]}


def encoded(payload: dict) -> str:
    """The step output the reporter decodes: base64 of the JSON text."""
    return base64.b64encode(_json(payload)).decode()


def write_github_output(payload: dict) -> Path:
    """Append ``result=<base64>`` to the step's output file, $GITHUB_OUTPUT (GitHub Actions' step outputs)."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        raise GraderError("--github-output writes the step's output for GitHub Actions, but $GITHUB_OUTPUT is not "
                          "set: this is not a GitHub Actions step. Leave the option out to print the JSON instead.")
    with open(target, "a", encoding="utf-8") as output:
        output.write(f"result={encoded(payload)}\n")
    return Path(target)
