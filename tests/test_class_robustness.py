"""One submission never stops, stalls or corrupts a class run: a class of every careless and hostile case.

The class is built here: names a Windows zip or macOS makes, links to special files, truncated and
misnamed notebooks, two submissions under one name, folders named like the gradebook's files, a
100 MB answer, a 5 MB message, a /tmp flood, a sleeper, editor and OS debris, the handout's
layout, names that start a spreadsheet formula, beside honest students. The run must finish; each
honest student gets the grade they get alone; each careless but right one gets full marks; the rest
get their own status and sentence; the grader's memory stays bounded; a rerun changes nothing.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import unicodedata
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import FORWARD_PASS, PROJECT, SECRET
from corpus import ROOT, assemble
from grader.classrun.gradebook import grade_class
from grader.grading.submission import grade_submission
from grader.jupyter.notebook import assignment_notebook
from grader.sandbox.bwrap import bwrap_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bwrap_path() is None, reason="the sandbox needs bubblewrap (make setup installs it)"),
]
GRADER = PROJECT / ".venv" / "bin" / "grader"
HONEST = {"honest_loops": "correct/loops", "honest_overflow": "buggy/softmax_overflow",
          "honest_no_bias": "buggy/dense_no_bias", "honest_stub": None}
HOSTILE = {"returns_100mb": "memory", "raises_5mb_message": "failed", "floods_tmp": "memory",
           "sleeps_in_every_call": "timeout"}
FORMULAS = ['=HYPERLINK("evil.example")', "+1", "-2", "@SUM(1)"]


def _right(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for module in ("softmax", "dense", "accuracy"):
        shutil.copy(PROJECT / "solutions" / f"{module}.py", folder / f"{module}.py")
    return folder


def _place(entry: str | None, root: Path, name: str, staging: Path) -> None:
    if entry is None:
        (root / name).mkdir()
        for module in ("softmax", "dense", "accuracy"):
            shutil.copy(PROJECT / "exercises" / f"{module}.py", root / name / f"{module}.py")
        return
    shutil.move(assemble(ROOT / entry, staging / name), root / name)


def build_class(root: Path, staging: Path, forward) -> dict[str, str]:
    """The class; returns the name each careless but right submission is filed under -> why it is careless."""
    root.mkdir(parents=True)
    for name, entry in HONEST.items():
        _place(entry, root, name, staging)
    for name in HOSTILE:
        _place(f"hostile/{name}", root, name, staging)
    careless = {}
    windows = _right(root / "windows_zip")
    (windows / os.fsdecode(b"notes\xe4.txt")).write_text("x")
    careless["windows_zip"] = "a file name that is not UTF-8"
    _right(root / os.fsdecode(b"j\xf6rg"))
    careless["j\\xf6rg"] = "a folder name that is not UTF-8"
    links = _right(root / "links_to_special_files")
    (links / "mem").symlink_to("/proc/self/mem")
    (links / "shadow").symlink_to("/etc/shadow")
    careless["links_to_special_files"] = "links to special files"
    _right(root / "x.ipynb")
    careless["x.ipynb"] = "a folder named like a notebook"
    for name in ("summary.json", "grades.csv"):
        _right(root / name)
        careless[name] = "a folder named like the gradebook's files"
    notebook = assignment_notebook(forward.assignments[0])
    debris = root / "debris"
    for path in (debris / "forward_pass.ipynb", debris / ".ipynb_checkpoints" / "forward_pass-checkpoint.ipynb",
                 debris / "__MACOSX" / "._forward_pass.ipynb", debris / "._forward_pass.ipynb"):
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
    careless["debris"] = "a notebook beside checkpoint and AppleDouble files"
    _right(root / "handout_layout" / "exercises")
    careless["handout_layout"] = "the handout's exercises/ folder kept"
    for name in FORMULAS:
        _right(root / name)
        careless[name] = "a name that starts a spreadsheet formula"
    (root / "truncated.ipynb").write_text(nbformat.writes(notebook)[:500])
    _right(root / "alice")
    nbformat.write(assignment_notebook(forward.assignments[0]), root / "alice.ipynb")
    _right(root / unicodedata.normalize("NFC", "zoë"))
    _right(root / unicodedata.normalize("NFD", "zoë"))
    return careless


class PeakMemory:
    """The largest total RSS of the grader's own processes (this one and its children, not the sandboxed workers)."""

    def __init__(self):
        self.peak, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        me = psutil.Process()
        while not self._stop.wait(0.2):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    if process.name() == "bwrap" or "worker.py" in " ".join(process.cmdline()):
                        continue
                    total += process.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()


def test_a_class_of_every_careless_and_hostile_case(course, strict_course, tmp_path):
    forward = strict_course.only_assignment("forward_pass")
    root, out = tmp_path / "class", tmp_path / "out"
    careless = build_class(root, tmp_path / "staging", forward)

    started = time.monotonic()
    with PeakMemory() as memory:
        run = grade_class(root, out, forward, jobs=2, sandbox=True, secret=SECRET)
    seconds = time.monotonic() - started
    print(f"hostile class of {len(run.results)}: {seconds:.0f} s, grader peak RSS {memory.peak / 2**20:.0f} MiB")
    assert len(run.results) == len(HONEST) + len(HOSTILE) + len(careless) + 5  # truncated, two pairs
    assert memory.peak < 1.5 * 2**30
    results = {result.submission: result for result in run.results}
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert set(rows) == {name if not name.startswith(("=", "+", "-", "@")) else "'" + name for name in results}

    for name, entry in HONEST.items():  # exactly what they get alone
        alone = grade_submission((root / name), forward, sandbox=True, secret=SECRET).summary()
        in_class = results[name].summary()
        alone.pop("submission"), in_class.pop("submission")
        assert in_class == alone, name
    for name, why in careless.items():
        assert results[name].score == results[name].max_score == FORWARD_PASS, (name, why, results[name].summary())
    for name, status in HOSTILE.items():
        softmax = next(e for e in results[name].exercises if e.name == "softmax")
        assert softmax.status == status and softmax.message or softmax.checks[0].feedback, name
        assert results[name].exercises[-1].status == "passed"  # accuracy, its own, is untouched
    assert len(json.dumps(results["raises_5mb_message"].to_record())) < 100_000

    truncated = results["truncated"]
    assert truncated.score == 0 and "not a readable Jupyter notebook" in truncated.exercises[0].message
    for pair in (("alice (alice/)", "alice (alice.ipynb)"), ("zoë (zo\\xeb/)", "zoë (zoe\\u0308/)")):
        for name in pair:
            assert name in results and "neither is graded" in results[name].exercises[0].message, (name, results.keys())
    shown = (out / "summary.json").read_text()
    assert str(root) not in shown and str(tmp_path) not in shown  # no path of the instructor's machine

    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    again = grade_class(root, out, forward, jobs=2, sandbox=True, secret=SECRET)
    assert again.graded == [] and len(again.skipped) == len(results)
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before


def test_killing_the_grader_leaves_no_process_and_no_folder(tmp_path):
    root = tmp_path / "class"
    root.mkdir()
    for index in range(6):
        shutil.move(assemble(ROOT / "buggy" / "softmax_overflow", tmp_path / "staging" / f"s{index}"), root / f"s{index}")
    scratch_before = set(Path("/tmp").glob("grader-run-*"))
    run = subprocess.Popen([str(GRADER), "grade", str(root), "--out", str(tmp_path / "out"), "--jobs", "2",
                            "--secret", str(SECRET)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    descendants: set[int] = set()
    while time.monotonic() < deadline and run.poll() is None:  # until pool, Keras service and workers all run
        try:
            children = psutil.Process(run.pid).children(recursive=True)
        except psutil.Error:
            break
        descendants |= {child.pid for child in children}
        if sum("worker.py" in " ".join(c.cmdline()) for c in children if c.is_running()) >= 1 and len(children) >= 5:
            break
        time.sleep(0.1)
    assert run.poll() is None, "the run finished before it could be killed"
    assert set(Path("/tmp").glob("grader-run-*")) - scratch_before, "the run has its scratch folder"
    os.kill(run.pid, signal.SIGKILL)  # only the grader itself: what it started must go by itself
    run.wait()
    time.sleep(4)
    alive = [pid for pid in descendants if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert alive == [], [" ".join(psutil.Process(pid).cmdline()) for pid in alive]
    assert set(Path("/tmp").glob("grader-run-*")) - scratch_before == set()
