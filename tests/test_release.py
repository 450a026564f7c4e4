"""The student handout holds stubs and public references, never solutions or hidden references."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from conftest import FULL_MARKS, HIDDEN_POINTS, PROJECT, SECRET
from grader.course import load_course
from grader.errors import GraderError
from grader.mnist import SAMPLE_TRAIN
from grader.release import release
from grader.secret import load_secret


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
