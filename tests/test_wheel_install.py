"""The kit installed as a wheel (pip install ., not editable): its files are no more readable from the sandbox.

The wheel is built offline (no build isolation) and installed into a fresh venv, which borrows the
project venv's packages for its dependencies. That venv's `grader grade` then grades submissions
that search the whole filesystem, read the installed package's data and the course secret by their
absolute paths, and switch off the forbidden-import check to reach TensorFlow: none finds anything.
"""

from __future__ import annotations

import csv
import json
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import PROJECT, SECRET
from corpus import ROOT, assemble
from grader.sandbox.bwrap import bwrap_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bwrap_path() is None, reason="the sandbox needs bubblewrap (make setup installs it)"),
]

READS_BY_PATH = '''
import numpy as np

PATHS = {paths!r}


def accuracy(y_pred, y_true):
    readable = []
    for path in PATHS:
        try:
            with open(path, "rb") as stream:
                readable.append(f"{{path}}: {{len(stream.read())}} bytes")
        except OSError:
            pass
    if readable:
        raise RuntimeError("read: " + "; ".join(readable))
    return float(np.mean(np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)))
'''


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the kit installed from its wheel; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(PROJECT), "--no-deps", "--no-build-isolation",
                            "--no-index", "-q", "-w", str(work / "dist")], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next((work / "dist").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.endswith(("hidden.npz", "secret.key")) or n.startswith(("tests/", "solutions/"))]
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    purelib = next((work / "venv" / "lib").glob("python3*/site-packages"))
    (purelib / "borrowed.pth").write_text("".join(f"{p}\n" for p in site.getsitepackages()))  # the dependencies
    install = subprocess.run([str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
                              "-q", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    where = subprocess.run([str(work / "venv" / "bin" / "python"), "-c", "import grader; print(grader.__file__)"],
                           capture_output=True, text=True, check=True, cwd=work).stdout.strip()
    assert where.startswith(str(purelib)), where  # the wheel's copy, not the project's
    return work / "venv" / "bin"


def test_a_wheel_install_of_the_kit_shows_nothing_to_the_sandbox(installed, tmp_path):
    package = Path(subprocess.run([str(installed / "python"), "-c", "import grader; print(grader.__file__)"],
                                  capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip()).parent
    root = tmp_path / "class"
    for entry in ("searches_the_filesystem", "switches_off_forbidden_imports"):
        assemble(ROOT / "hostile" / entry, root)
    reader = assemble(ROOT / "correct" / "loops", root)
    paths = [str(package / "references" / "data" / "visible.npz"), str(package / "references" / "data" / "oracle.npz"),
             str(package / "data" / "mnist_sample.npz"), str(SECRET / "hidden.npz"), str(SECRET / "secret.key"),
             str(PROJECT / "solutions" / "softmax.py")]
    (reader / "accuracy.py").write_text(READS_BY_PATH.format(paths=paths))
    shutil.move(reader, root / "reads_by_path")

    run = subprocess.run([str(installed / "grader"), "--course", str(PROJECT / "course.yaml"), "grade", str(root),
                          "--out", str(tmp_path / "out"), "--assignment", "forward_pass", "--secret", str(SECRET)],
                         capture_output=True, text=True, timeout=1800, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    rows = {row["student"]: row for row in csv.DictReader((tmp_path / "out" / "grades.csv").open())}
    summary = {s["submission"]: s for s in json.loads((tmp_path / "out" / "summary.json").read_text())}
    assert rows["searches_the_filesystem"]["softmax_status"] == "passed"  # it found nothing, so it answered
    assert rows["switches_off_forbidden_imports"]["softmax"] == "0"  # no TensorFlow, whatever it switched off
    assert rows["reads_by_path"]["accuracy_status"] == "passed", summary["reads_by_path"]  # nothing was readable
