"""The student handout holds stubs and public references, never solutions or hidden references."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from conftest import FULL_MARKS, HIDDEN_POINTS, PROJECT, SECRET
from grader.course import load_course
from grader.errors import GraderError
from grader.authoring.freshness import course_problems
from grader.jupyter.course_folder import build_course_folder
from grader.references.mnist import SAMPLE_TRAIN
from grader.platforms.gradescope import build_autograder
from grader.authoring.release import imported_modules, release
from grader.references.secret import load_secret


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout")
    release(out, load_course(), PROJECT / "course.yaml")
    return out


def test_handout_has_what_students_need(handout):
    for path in ("exercises/softmax.py", "grader/cli.py", "grader/references/data/visible.npz", "course.yaml",
                 "README.md", "pyproject.toml"):
        assert (handout / path).is_file(), path
    assert not (handout / "solutions").exists() and not (handout / "tests").exists()
    assert not list(handout.rglob("hidden.npz")) and not list(handout.rglob("secret.key"))
    with np.load(handout / "grader" / "data" / "mnist_sample.npz") as sample:  # the grade-time pool stays home
        assert len(sample["x"]) == SAMPLE_TRAIN


def test_no_solution_code_anywhere_in_the_handout(handout):
    regions = []
    for solution in (PROJECT / "solutions").glob("*.py"):
        regions += re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", solution.read_text(), re.DOTALL)
    # A one-line answer (relu's np.maximum(z, 0)) is also what its hint says; the others must appear nowhere.
    regions = [region for region in regions if len(region.strip().splitlines()) > 1]
    assert len(regions) >= 5
    for path in handout.rglob("*"):
        if path.is_file() and path.suffix != ".npz":
            text = path.read_text(errors="replace")
            assert "BEGIN SOLUTION" not in text or path.name == "stubs.py"
            for region in regions:
                assert region.strip() not in text, f"solution code in {path}"


def test_no_grade_time_arrays_in_the_handout(handout):
    grade_time = load_secret(SECRET)
    secrets = [array.tobytes() for batches in (grade_time.visible, grade_time.hidden)
               for array in (batches.x[0, 0], batches.predict[0, 0], batches.logits[0, 0])]
    secrets += [grade_time.cases.mlp_params[0][0].tobytes(), grade_time.cases.mnist_epoch.x[0].tobytes()]
    for path in handout.rglob("*.npz"):
        with np.load(path) as data:
            for name in data.files:
                blob = data[name].tobytes()
                assert not any(secret in blob for secret in secrets), f"hidden data in {path}:{name}"


def test_handout_grades_without_hidden_checks(handout):
    code = "import json; from grader import api; r = api.check('exercises'); print(json.dumps(r.summary()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=handout, capture_output=True, text=True, check=True)
    assert '"status": "not_attempted"' in out.stdout
    assert f'"max_score": {FULL_MARKS - HIDDEN_POINTS}' in out.stdout  # the hidden points are not in the handout


def test_refuses_a_secret_folder_inside_what_is_handed_out(tmp_path):
    course = load_course()
    inside = course.model_copy(update={"grading": course.grading.model_copy(update={"secret_folder": "grader/secret"})})
    with pytest.raises(GraderError, match="is inside grader/"):
        release(tmp_path / "handout", inside, PROJECT / "course.yaml")


def test_refuses_a_folder_with_things_in_it(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(GraderError, match="not empty"):
        release(tmp_path, load_course(), PROJECT / "course.yaml")


def test_one_assignment_is_released_alone(tmp_path):
    course = load_course()
    first = course.assignments[0]
    release(tmp_path / "handout", course, PROJECT / "course.yaml", first.id)
    handout = tmp_path / "handout"
    shipped = load_course(handout / "course.yaml")
    assert [assignment.id for assignment in shipped.assignments] == [first.id]
    assert shipped.assignments[0] == first
    modules = imported_modules(course, [exercise.module for exercise in first.exercises])
    assert sorted(path.stem for path in (handout / "exercises").glob("*.py")) == sorted(modules)
    code = "import json; from grader import api; print(json.dumps(api.check('exercises').summary()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=handout, capture_output=True, text=True, check=True)
    public = sum(check.points for exercise in first.exercises for check in exercise.checks.values() if not check.hidden)
    assert f'"max_score": {public}' in out.stdout
    with pytest.raises(GraderError, match="no assignment named 'nope'"):
        release(tmp_path / "other", course, PROJECT / "course.yaml", "nope")


def test_a_module_ships_with_the_course_modules_it_imports(tmp_path):
    course = load_course()
    first, second, third, fourth = list(dict.fromkeys(exercise.module for exercise in course.exercises()))[:4]
    for module, source in ((first, f"from {second} import f\n"), (second, f"import {third}.part\nimport numpy\n"),
                           (third, f"from . import {fourth}\n"), (fourth, "")):
        (tmp_path / f"{module}.py").write_text(source)
    assert imported_modules(course, [first], tmp_path) == [first, second, third]


@pytest.fixture()
def sources(tmp_path):
    """Copies of the kit's solutions, stubs and public references' manifest."""
    for name in ("solutions", "exercises"):
        shutil.copytree(PROJECT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "references").mkdir()
    shutil.copy(PROJECT / "grader" / "references" / "data" / "manifest.json", tmp_path / "references")
    return {name: tmp_path / name for name in ("solutions", "exercises", "references")}


def test_the_kit_is_current_and_each_stale_part_is_named(sources):
    course = load_course()
    assert course_problems(course) == [] and course_problems(course, **sources) == []
    first, second, third = course.exercises()[:3]
    (sources["exercises"] / f"{first.module}.py").write_text("# edited by hand\n")
    (sources["solutions"] / f"{second.module}.py").unlink()
    (sources["solutions"] / f"{third.module}.py").write_text(
        (sources["solutions"] / f"{third.module}.py").read_text().replace(f"def {third.function}(", "def renamed("))
    manifest = json.loads((sources["references"] / "manifest.json").read_text())
    manifest["checks"][first.name].remove(next(iter(first.checks)))
    (sources["references"] / "manifest.json").write_text(json.dumps(manifest))
    problems = "\n".join(course_problems(course, **sources))
    assert f"{first.module}.py differs from what" in problems and "run: grader build" in problems
    assert f"{second.name}: {sources['solutions'] / second.module}.py is missing" in problems
    assert f"defines no top-level function {third.function}()" in problems
    assert f"no Keras answers for {first.name}.{next(iter(first.checks))}" in problems
    assert "the public references were recorded for other checks" in problems


def test_nothing_ships_from_a_course_whose_references_are_stale(tmp_path):
    course = load_course()
    stale = course.model_copy(update={"grading": course.grading.model_copy(
        update={"max_examples": course.grading.max_examples + 1})})
    message = r"was not written, because the course's generated files are not current:\n  - .*max_examples is now"
    with pytest.raises(GraderError, match="The handout " + message):
        release(tmp_path / "handout", stale, PROJECT / "course.yaml")
    with pytest.raises(GraderError, match="The nbgrader course " + message):
        build_course_folder(stale, PROJECT / "course.yaml", tmp_path / "nbgrader")
    with pytest.raises(GraderError, match="The Gradescope autograder " + message):
        build_autograder(stale, PROJECT / "course.yaml", SECRET, tmp_path / "autograder.zip")
    assert not list(tmp_path.rglob("*"))  # nothing written anywhere


def test_pytest_runs_the_handout_checks(handout):
    """A student's `pytest` in the handout grades exercises/: one test per visible check, the stubs failing."""
    completed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",  # the handout's
                                "--junitxml=report.xml"], cwd=handout, capture_output=True,
                               text=True, timeout=600)
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    cases = list(ET.parse(handout / "report.xml").getroot().iter("testcase"))
    (handout / "report.xml").unlink()
    visible = [(e.name, name) for e in load_course().exercises() for name, check in e.checks.items() if not check.hidden]
    assert [(case.get("classname").rsplit(".", 1)[1], case.get("name")) for case in cases] == visible
    assert all(case.find("failure") is not None for case in cases)
    assert "still raises NotImplementedError" in completed.stdout and "Traceback" not in completed.stdout
    assert "warning" not in completed.stdout
    below = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=handout / "exercises",
                           capture_output=True, text=True, timeout=600)  # run from inside exercises/, as students do
    assert below.returncode == 1 and f"{len(visible)} failed" in below.stdout, below.stdout[-2000:] + below.stderr
