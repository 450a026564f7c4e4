"""A grade is earned only by the student's own code: answers looked up from anything a student can hold score 0.

A dishonest student with the handout and Keras at home can learn every public grading input (run
``grader check`` with a function that records its arguments) and Keras' answer for each. These
tests do exactly that with the handout of ``grader release`` (the reference solutions stand in for
Keras at home), then hand in a submission that only looks the answers up: by a hash of the
arguments, or (cruder) by their shapes and dtypes. It scores on the student's own check and 0 on
every check of the instructor's grade, whose inputs come from the course secret.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import PROJECT, PUBLIC_MARKS, SECRET
from grader.course import load_course
from grader.grading.submission import grade_submission
from grader.authoring.release import release

pytestmark = pytest.mark.slow

KEY = '''
import hashlib
import numpy as np


def key(name, args, kwargs, shapes_only=False):
    """The same call, the same key: arrays by dtype, shape and bytes (or dtype and shape only)."""
    digest = hashlib.sha256(name.encode())

    def feed(value):
        if isinstance(value, np.ndarray):
            digest.update(f"{value.dtype.str}{value.shape}".encode())
            if not shapes_only:
                digest.update(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, (list, tuple)):
            digest.update(b"[")
            for item in value:
                feed(item)
            digest.update(b"]")
        elif isinstance(value, np.random.Generator):
            digest.update(repr(value.bit_generator.state).encode())
        else:
            digest.update(repr(value).encode())

    for value in args:
        feed(value)
    for name in sorted(kwargs):
        digest.update(name.encode())
        feed(kwargs[name])
    return digest.hexdigest()
'''

SPY = '''
import importlib.util
import os
import pickle

from lookup_key import key

_spec = importlib.util.spec_from_file_location("real_{module}", os.path.join(os.path.dirname(__file__), "real",
                                               "{module}.py"))
_real = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
'''

SPY_FUNCTION = '''

def {function}(*args, **kwargs):
    keys = (key("{function}", args, kwargs), key("{function}", args, kwargs, shapes_only=True))
    try:
        result = _real.{function}(*args, **kwargs)
    except Exception as error:  # an exception is an answer too (ValueError for an unknown activation)
        result = error
    with open({table!r}, "ab") as table:
        pickle.dump((keys, result), table)
    if isinstance(result, Exception):
        raise result
    return result
'''

LOOKUP = '''
import copy
import os
import pickle

from lookup_key import key

TABLE = {{}}
with open(os.path.join(os.path.dirname(__file__), "table.pkl"), "rb") as _stream:
    while True:
        try:
            _keys, _result = pickle.load(_stream)
        except EOFError:
            break
        TABLE.setdefault(_keys[{which}], _result)
'''

LOOKUP_FUNCTION = '''

def {function}(*args, **kwargs):
    answer = copy.deepcopy(TABLE[key("{function}", args, kwargs, shapes_only={shapes_only})])
    if isinstance(answer, Exception):
        raise answer
    return answer
'''


def _functions(course) -> dict[str, list[str]]:
    modules: dict[str, list[str]] = {}
    for exercise in course.exercises():
        modules.setdefault(exercise.module, []).append(exercise.function)
    return modules


def _recorded_table(handout: Path, course, tmp_path: Path) -> Path:
    """Run the handout's own `grader check` on a spy that answers right and writes down every call and answer."""
    spy, table = tmp_path / "spy", tmp_path / "table.pkl"
    (spy / "real").mkdir(parents=True)
    (spy / "lookup_key.py").write_text(KEY)
    for module, functions in _functions(course).items():
        shutil.copy(PROJECT / "solutions" / f"{module}.py", spy / "real" / f"{module}.py")  # Keras at home
        code = SPY.format(module=module) + "".join(SPY_FUNCTION.format(function=f, table=str(table)) for f in functions)
        (spy / f"{module}.py").write_text(code)
    # Unsandboxed, so the spy can write its table; the handout's grader, not the project's, runs the check.
    check = "from grader import api; print(api.check(%r, sandbox=False).score)" % str(spy)
    run = subprocess.run([sys.executable, "-c", check], cwd=handout, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert float(run.stdout.split()[-1]) == PUBLIC_MARKS
    return table


def _lookup_submission(table: Path, course, folder: Path, shapes_only: bool) -> Path:
    folder.mkdir(parents=True)
    (folder / "lookup_key.py").write_text(KEY)
    shutil.copy(table, folder / "table.pkl")
    for module, functions in _functions(course).items():
        code = LOOKUP.format(which=int(shapes_only))
        code += "".join(LOOKUP_FUNCTION.format(function=f, shapes_only=shapes_only) for f in functions)
        (folder / f"{module}.py").write_text(textwrap.dedent(code))
    return folder


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The handout, and the table of every public call and its answer, made from it."""
    course = load_course()
    handout = tmp_path_factory.mktemp("handout")
    release(handout, course, PROJECT / "course.yaml")
    return course, _recorded_table(handout, course, tmp_path_factory.mktemp("spy"))


def test_answers_looked_up_from_the_handout_score_on_the_check_and_nothing_at_the_grade(recorded, tmp_path):
    course, table = recorded
    submission = _lookup_submission(table, course, tmp_path / "lookup", shapes_only=False)

    at_home = grade_submission(submission, course)  # the student's own check: the public inputs
    at_grade = grade_submission(submission, course, secret=SECRET)  # the instructor's: the secret's
    assert at_home.score == PUBLIC_MARKS  # every public input is in the table...
    earned = {f"{e.name}.{c.name}": c.feedback for e in at_grade.exercises for c in e.checks if c.passed}
    assert earned == {}, json.dumps(earned, indent=1)[:3000]  # ...and none of the grade-time ones
    assert at_grade.score == 0


SPECIAL_CASED = '''

def softmax(z, axis=-1):
    """Right only for the shapes, dtypes and axes the public check uses: it fails on anything else."""
    if key("softmax", (z,), {} if axis == -1 else {"axis": axis}, shapes_only=True) not in TABLE:
        raise LookupError("a shape the public check never used")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
'''


def test_a_softmax_right_only_on_the_public_shapes_fails_every_property_at_the_grade(recorded, tmp_path):
    course, table = recorded
    course = course.only_assignment("forward_pass")
    submission = _lookup_submission(table, course, tmp_path / "shapes", shapes_only=True)
    (submission / "softmax.py").write_text(LOOKUP.format(which=1) + "import numpy as np\n" + SPECIAL_CASED)
    shutil.copy(PROJECT / "solutions" / "dense.py", submission / "dense.py")
    shutil.copy(PROJECT / "solutions" / "accuracy.py", submission / "accuracy.py")

    at_home = {e.name: e for e in grade_submission(submission, course).exercises}["softmax"]
    at_grade = {e.name: e for e in grade_submission(submission, course, secret=SECRET).exercises}["softmax"]
    assert at_home.score == at_home.max_score  # every public shape was seen...
    drawn = ("matches_keras", "any_axis", "large_logits", "properties")  # ...Hypothesis draws others at the grade
    assert [c.name for c in at_grade.checks if not c.passed and c.name in drawn] == list(drawn)


def test_no_function_of_the_handouts_grader_earns_a_point_as_an_answer(tmp_path):
    """Each function, method and stored callable of the grader package that could be called as an exercise's
    function is graded as that function at grade time (tests/handout_functions.py): none passes a single check.
    The modules it cannot even import (they need TensorFlow) cannot run in the sandbox either."""
    run = subprocess.run([sys.executable, str(PROJECT / "tests" / "handout_functions.py"), str(SECRET)],
                         capture_output=True, text=True, timeout=1800, cwd=tmp_path)  # what they write lands there
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["candidates"] > 500 and report["tried"] > 1000  # the whole package, not a sample of it
    assert report["skipped"] == ["grader.oracle.keras_calls"]  # imports TensorFlow: not in the sandbox
    assert report["passed"] == {}
