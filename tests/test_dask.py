"""Grading on a Dask cluster: the same grades as on this machine, the gradebook written here."""

from __future__ import annotations

import json
import os

import pytest

from conftest import FORWARD_PASS, PROJECT, SECRET
from corpus import ROOT, assemble
from grader.course import load_course
from grader.errors import GraderError
from grader.classrun.executors import grade_snapshot
from grader.classrun.gradebook import grade_class
from grader.grading.submission import resolve_sandbox
from grader.grading.snapshot import take
from test_gradebook import small_class


def test_a_worker_with_another_grader_refuses_to_grade(course, tmp_path):
    snapshot = take(small_class(tmp_path / "class") / "loops")
    with pytest.raises(GraderError, match="different version of the grader"):
        grade_snapshot(snapshot, course, False, "0" * 64, None, "loops")


@pytest.mark.slow
def test_a_class_graded_on_a_local_dask_cluster_gets_the_local_grades(course, tmp_path):
    from distributed import Client, LocalCluster

    root = small_class(tmp_path / "class")
    notebook = tmp_path / "nb"
    from grader.jupyter.course_folder import build_course_folder

    build_course_folder(course, PROJECT / "course.yaml", notebook)
    (root / "notebook_student").mkdir()
    (root / "notebook_student" / "forward_pass.ipynb").write_bytes(
        (notebook / "source" / "forward_pass" / "forward_pass.ipynb").read_bytes())
    oversized = assemble(ROOT / "correct" / "loops", tmp_path / "big").rename(root / "oversized")  # over 64 MiB
    (oversized / "data.bin").write_bytes(os.urandom(65 * 2**20))
    dot_folder = assemble(ROOT / "correct" / "loops", tmp_path / "staging").rename(root / "dot_folder")
    (dot_folder / ".lib").mkdir()  # left out everywhere, so softmax's import of it fails everywhere alike
    (dot_folder / ".lib" / "helper.py").write_text((PROJECT / "solutions" / "softmax.py").read_text())
    (dot_folder / "softmax.py").write_text("import sys\nsys.path.insert(0, '.lib')\nfrom helper import softmax\n")
    sandbox = resolve_sandbox(None)

    local = grade_class(root, tmp_path / "local", course, jobs=2, sandbox=sandbox, secret=SECRET)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = grade_class(root, tmp_path / "dask", course, sandbox=sandbox, scheduler=cluster.scheduler_address,
                             secret=SECRET)
        with Client(cluster.scheduler_address) as client:
            imported = client.run(lambda: __import__("sys").modules.get("grader.grading.submission") is not None)
    assert all(imported.values()) and len(imported) == 2  # the grading ran in the cluster's worker processes

    assert sorted(remote.graded) == sorted(local.graded) and len(remote.graded) == 7
    assert [r.summary() for r in remote.results] == [r.summary() for r in local.results]
    assert (tmp_path / "dask" / "grades.csv").read_text() == (tmp_path / "local" / "grades.csv").read_text()
    summary = {s["submission"]: s for s in json.loads((tmp_path / "dask" / "summary.json").read_text())}
    assert summary["notebook_student"]["score"] == FORWARD_PASS and summary["stub_student"]["score"] == 0
    assert summary["oversized"]["score"] == 0 and "MiB of files" in summary["oversized"]["exercises"][0]["message"]
    softmax = summary["dot_folder"]["exercises"][0]
    lost = sum(exercise.max_score for exercise in load_course().exercises(["softmax", "dense"]))
    assert softmax["status"] == "error" and summary["dot_folder"]["score"] == summary["dot_folder"]["max_score"] - lost  # and dense


def test_an_unreachable_scheduler_is_a_sentence(course, tmp_path, monkeypatch):
    monkeypatch.setattr("grader.classrun.executors.CONNECT_SECONDS", 1.0)
    root = small_class(tmp_path / "class")
    with pytest.raises(GraderError, match="Could not reach the Dask scheduler at tcp://127.0.0.1:9"):
        grade_class(root, tmp_path / "out", course, sandbox=False, scheduler="tcp://127.0.0.1:9")
