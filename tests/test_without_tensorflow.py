"""`grader check` on a student's laptop with the lean install: no TensorFlow, no `resource`, no bubblewrap.

The verdicts must be the ones a machine with all of them gives, check by check, for every correct, buggy
and broken submission of the corpus: every input a check draws has its Keras answer recorded, and only
shrinking a failure further (and the hints that ask Keras about other inputs) needs TensorFlow. The
grading runs in a fresh interpreter in which importing tensorflow, keras and resource fails, as on a
machine that lacks them (Windows has no `resource`; the lean install has no TensorFlow), and without
the sandbox, as where bubblewrap is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import PROJECT

pytestmark = pytest.mark.slow  # grades the whole corpus twice

GRADE_CORPUS = """
import json, sys, tempfile
from pathlib import Path
if sys.argv[1] == "lean":
    import psutil  # noqa: F401 - on Linux psutil itself needs resource; on Windows it does not
    for name in ("tensorflow", "keras", "resource"):
        sys.modules[name] = None  # import fails, as where the module is not installed
sys.path[:0] = [sys.argv[2], sys.argv[2] + "/tests"]
from corpus import assemble, entries
from grader.course import load_course
from grader.grading.submission import grade_submission
from grader.sandbox.limits import rlimits_available

assert rlimits_available() == (sys.argv[1] == "full")  # the lean run truly has no rlimits
course = load_course()
verdicts, texts = {}, []
with tempfile.TemporaryDirectory() as tmp:
    for kind in ("correct", "buggy", "broken"):
        for entry in entries(kind):
            result = grade_submission(assemble(entry, Path(tmp) / kind), course, sandbox=False)
            verdicts[f"{kind}/{entry.name}"] = {
                f"{e.name}.{c.name}": c.passed for e in result.exercises for c in e.checks}
            texts += [c.feedback for e in result.exercises for c in e.checks]
print(json.dumps({"verdicts": verdicts, "feedback": texts}))
"""


def graded(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", GRADE_CORPUS, mode, str(PROJECT)], capture_output=True, text=True,
                          cwd=PROJECT, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_the_lean_install_gives_the_same_verdicts():
    full, lean = graded("full"), graded("lean")
    assert lean["verdicts"] == full["verdicts"]
    assert any(verdict is False for checks in lean["verdicts"].values() for verdict in checks.values())
    lean_text = "\n".join(lean["feedback"])
    assert "The grader failed" not in lean_text and "Traceback" not in lean_text  # a sentence, never a crash
    assert "TensorFlow is not installed here" in lean_text  # the unshrunk failures say why
    assert "Smallest failing input found" in "\n".join(full["feedback"])
