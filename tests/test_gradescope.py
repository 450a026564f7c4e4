"""`grader export gradescope`: the autograder zip, run as Gradescope runs it, in a Gradescope-like tree.

The tree is /autograder's (source, submission, results) under a folder of the test's; run_autograder is run by
bash, with the tests' interpreter standing in for the venv setup.sh makes (GRADER_GRADESCOPE_ROOT and
GRADER_GRADESCOPE_PYTHON are the only differences, and only tests set them)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import FORWARD_PASS, PROJECT, SECRET
from corpus import ROOT, assemble
from grader.course import load_course
from grader.grading.submission import grade_submission
from grader.platforms.gradescope import build_autograder

pytestmark = pytest.mark.slow  # each run grades a submission on the grade-time inputs


def autograder_tree(tmp_path: Path, submission: Path | None, assignment: str = "forward_pass") -> Path:
    course = load_course()
    archive = build_autograder(course, PROJECT / "course.yaml", SECRET, tmp_path / "autograder.zip", assignment)
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(root / "source")
        for info in opened.infolist():  # extractall drops the modes; Gradescope keeps them
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    (root / "submission").mkdir()
    if submission is not None:
        for path in submission.iterdir():
            (root / "submission" / path.name).write_bytes(path.read_bytes())
    return root


def run_autograder(root: Path, **env: str) -> dict:
    environment = {**os.environ, "GRADER_GRADESCOPE_ROOT": str(root), "GRADER_GRADESCOPE_PYTHON": sys.executable, **env}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=environment, cwd=root,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def test_the_zip_holds_what_the_spec_asks_and_no_answer(tmp_path):
    archive = build_autograder(load_course(), PROJECT / "course.yaml", SECRET, tmp_path / "a.zip", "forward_pass")
    with zipfile.ZipFile(archive) as opened:
        modes = {info.filename: (info.external_attr >> 16) & 0o777 for info in opened.infolist()}
        setup = opened.read("setup.sh").decode()
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR  # at the root, executable
    assert "kit/grader/sandbox/worker.py" in modes and "kit/course.yaml" in modes and "secret/secret.key" in modes
    assert all(mode == 0o600 for name, mode in modes.items() if name.startswith("secret/"))
    assert not [name for name in modes if name.startswith(("solutions", "kit/solutions", "tests"))]
    assert "bubblewrap" in setup and "useradd" in setup and "chmod -R go-rwx /autograder/source" in setup
    again = build_autograder(load_course(), PROJECT / "course.yaml", SECRET, tmp_path / "b.zip", "forward_pass")
    assert again.read_bytes() == archive.read_bytes()  # the same course gives the same zip


def test_a_submission_gets_the_grade_of_grader_grade_with_gradescopes_visibility(tmp_path):
    submission = assemble(ROOT / "buggy" / "softmax_wrong_axis", tmp_path / "staging")
    root = autograder_tree(tmp_path, submission)
    results = run_autograder(root, GRADER_GRADESCOPE_USER="")
    expected = grade_submission(submission, load_course().only_assignment("forward_pass"), secret=SECRET)
    assert results["score"] == expected.score < FORWARD_PASS
    tests = {test["name"]: test for test in results["tests"]}
    assert sum(test["max_score"] for test in tests.values()) == FORWARD_PASS
    assert tests["softmax: mnist_hidden"]["visibility"] == "after_published"
    assert tests["softmax: matches_keras"]["visibility"] == "visible"
    assert "wrong axis" in tests["softmax: matches_keras"]["output"]
    assert results["stdout_visibility"] == "hidden" and isinstance(results["execution_time"], int)


def test_results_json_is_written_whatever_happens(tmp_path):
    root = autograder_tree(tmp_path, assemble(ROOT / "correct" / "loops", tmp_path / "staging"))
    (root / "source" / "secret" / "manifest.json").unlink()  # the grading itself cannot start
    results = run_autograder(root, GRADER_GRADESCOPE_USER="")
    assert results["score"] == 0 and "your instructor has been told" in results["output"]
    (root / "results" / "results.json").unlink()
    results = run_autograder(root, GRADER_GRADESCOPE_PYTHON="/nonexistent/python")  # not even Python starts
    assert results["score"] == 0 and results["tests"] == []


def _python_for(user: str) -> tuple[str, dict] | None:
    """An interpreter ``user`` can run, with the kit: the tests' own, or (where that one sits in a private folder,
    as under /root/.pyenv) the system's Python of the same version given the tests' packages."""
    import sysconfig

    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    path = os.pathsep.join((sysconfig.get_paths()["purelib"], str(PROJECT)))
    for python, env in ((sys.executable, {}), (f"/usr/bin/{version}", {"PYTHONPATH": path})):
        try:
            done = subprocess.run([python, "-I", "-c", "import os, sys; os.listdir(sys.argv[1])", str(PROJECT)],
                                  user=user, capture_output=True, timeout=60)  # and it can read the kit
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return python, env
    return None


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs run_autograder as root; here the tests are not root")
def test_the_students_code_does_not_run_as_root(tmp_path):
    found = _python_for("nobody")
    if found is None:
        pytest.skip(f"user nobody can run no Python {sys.version_info.major}.{sys.version_info.minor} here, or "
                    f"cannot read {PROJECT} (a private folder, as mktemp -d makes): Gradescope's /autograder is readable")
    python, env = found
    submission = assemble(ROOT / "correct" / "loops", tmp_path / "staging")
    (submission / "softmax.py").write_text((submission / "softmax.py").read_text() + (
        "\nimport os\nif os.geteuid() == 0:\n    raise SystemExit('running as root')\n"))
    root = autograder_tree(tmp_path, submission)
    os.chmod(tmp_path, 0o755)  # as Gradescope's /autograder: the submission's folder is passed through
    results = run_autograder(root, GRADER_GRADESCOPE_USER="nobody", GRADER_GRADESCOPE_PYTHON=python, **env)
    assert results["score"] == FORWARD_PASS, json.dumps(results)[:3000]
    root_only = autograder_tree(tmp_path / "again", submission)  # the same code, as root, stops at import
    results = run_autograder(root_only, GRADER_GRADESCOPE_USER="")
    softmax = [test for test in results["tests"] if test["name"].startswith("softmax:")]
    assert results["score"] < FORWARD_PASS and softmax and all(test["score"] == 0 for test in softmax)
