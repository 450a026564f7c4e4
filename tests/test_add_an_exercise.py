"""An instructor adds an exercise by writing three files and running one command (README, "Add an exercise").

On a copy of the kit: tests/new_exercise/ holds the three files for sigmoid (its solution, its check module, its
course.yaml entry); `grader build` makes the rest; the stub, the grading, the hint, pytest and the nbgrader
notebook all know the new exercise, and nothing stale ships before the build.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import PROJECT

pytestmark = pytest.mark.slow  # trains the reference model and records Keras in the copy

EXAMPLE = PROJECT / "tests" / "new_exercise"
NAIVE = '''import numpy as np


def sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))  # overflows: exp(1000) is inf, and inf / inf is nan
'''


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """A copy of the kit with sigmoid added by its three files, and nothing else done."""
    copy = tmp_path_factory.mktemp("kit") / "kit"
    for name in tracked_files():  # what a clone of the kit holds, its tests too
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT / name, copy / name)
    shutil.copy(EXAMPLE / "solutions" / "sigmoid.py", copy / "solutions" / "sigmoid.py")  # 1. the solution
    shutil.copy(EXAMPLE / "grader" / "checks" / "sigmoid.py", copy / "grader" / "checks" / "sigmoid.py")  # 2. checks
    course = (copy / "course.yaml").read_text()  # 3. the course.yaml entry, at the end of the first assignment
    second = course.index("\n  - id: ", course.index("  - id: ") + 1)
    (copy / "course.yaml").write_text(course[:second + 1] + (EXAMPLE / "course_entry.yaml").read_text().split(
        "\n", 1)[1] + course[second + 1:])
    return copy


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True).stdout
    return [name for name in listed.decode().split("\0") if name and (PROJECT / name).is_file()]


def grader(kit: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The copy's own grader (its folder first on the path), as its instructor runs it."""
    env = {key: value for key, value in os.environ.items() if key != "GRADER_COURSE"}
    env["PYTHONPATH"] = str(kit)
    completed = subprocess.run([sys.executable, "-m", "grader", *args], cwd=kit, env=env, capture_output=True,
                               text=True, timeout=900)
    if check:
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed


@pytest.fixture(scope="module")
def built(kit, tmp_path_factory):
    refused = grader(kit, "release", "--out", str(tmp_path_factory.mktemp("early") / "handout"), check=False)
    nbgrader = tmp_path_factory.mktemp("nbgrader") / "course"
    done = grader(kit, "build", "--nbgrader", str(nbgrader))
    return refused, done, nbgrader


def test_nothing_ships_before_the_build(built, kit):
    refused, _, _ = built
    assert refused.returncode == 1 and "The handout was not written" in refused.stderr
    assert "the stub" in refused.stderr and "no Keras answers for sigmoid.matches_keras" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_build_makes_the_stub_the_references_and_the_contracts(built, kit):
    _, done, _ = built
    assert "everything made from the sources is current" in done.stdout
    stub = (kit / "exercises" / "sigmoid.py").read_text()
    assert "raise NotImplementedError" in stub and "np.abs(z)" not in stub
    manifest = json.loads((kit / "grader" / "references" / "data" / "manifest.json").read_text())
    assert manifest["checks"]["sigmoid"] == ["large_inputs", "matches_keras"]
    assert "| sigmoid | ``np.exp(z) / (1 + np.exp(z))`` overflows" in (kit / "docs" / "contracts.md").read_text()


def test_the_solution_gets_full_marks_and_the_stub_none(built, kit):
    entry = yaml.safe_load((EXAMPLE / "course_entry.yaml").read_text())[0]
    full = sum(check["points"] for check in entry["checks"].values())
    for folder, score, status in (("solutions", full, "passed"), ("exercises", 0, "not_attempted")):
        summary = json.loads(grader(kit, "check", folder, "--exercise", "sigmoid", "--json").stdout)
        exercise = summary["exercises"][0]
        assert (exercise["name"], exercise["score"], exercise["max_score"], exercise["status"]) == \
            ("sigmoid", score, full, status), summary


def test_the_overflowing_sigmoid_gets_the_hint(built, kit, tmp_path):
    (tmp_path / "naive").mkdir()
    (tmp_path / "naive" / "sigmoid.py").write_text(NAIVE)
    report = grader(kit, "check", str(tmp_path / "naive"), "--exercise", "sigmoid")
    assert "exp() overflowed: take exp only of scores that are not positive" in report.stdout
    summary = json.loads(grader(kit, "check", str(tmp_path / "naive"), "--exercise", "sigmoid", "--json").stdout)
    checks = {check["name"]: check["passed"] for check in summary["exercises"][0]["checks"]}
    assert checks == {"matches_keras": True, "large_inputs": False}


def test_pytest_and_the_nbgrader_notebook_know_it(built, kit):
    _, _, nbgrader = built
    env = dict(os.environ, PYTHONPATH=str(kit))
    env.pop("GRADER_COURSE", None)
    completed = subprocess.run([sys.executable, "-m", "pytest", "--submission", "solutions", "-k", "sigmoid",
                                "-p", "no:cacheprovider", "-q"], cwd=kit, env=env, capture_output=True, text=True,
                               timeout=900)
    assert completed.returncode == 0 and "2 passed" in completed.stdout, completed.stdout[-2000:]
    notebook = nbformat.read(nbgrader / "source" / "forward_pass" / "forward_pass.ipynb", as_version=4)
    cells = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells}
    entry = yaml.safe_load((EXAMPLE / "course_entry.yaml").read_text())[0]
    points = sum(check["points"] for check in entry["checks"].values())
    assert cells["sigmoid"].metadata["nbgrader"]["points"] == points and "def sigmoid" in cells["sigmoid-answer"].source
    assert "logistic sigmoid" in cells["sigmoid-story"].source  # from the docstring, with no story written


def test_the_kits_own_fast_suite_passes_on_the_copy(built, kit):
    """The kit's tests take the exercises from course.yaml: with sigmoid added, they still pass."""
    grader(kit, "secret", "init", "--folder", "tests/secret")  # the tests' grade-time inputs, sigmoid's too
    env = dict(os.environ, PYTHONPATH=str(kit))
    env.pop("GRADER_COURSE", None)
    completed = subprocess.run([sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider",
                                "tests"], cwd=kit, env=env, capture_output=True, text=True, timeout=2400)
    assert completed.returncode == 0, completed.stdout[-5000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout.splitlines()[-1] and "failed" not in completed.stdout.splitlines()[-1]
