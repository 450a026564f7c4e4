"""The class run's Keras service: the live Keras results, computed in one process for all grading processes."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

SCRIPT = """
import sys
import numpy as np
from grader.oracle import service as keras_service
from grader.oracle.recorded import Oracle
from grader.references.store import DATA
from grader.grading.replay import Recording

service = keras_service.KerasService()
keras_service.use(service.address)
z = Recording.load(DATA / "examples.npz").examples["softmax.matches_keras"][5][0]
live = keras_service.compute("softmax", (z,), {"axis": -1})
recorded = Oracle.from_file(DATA / "oracle.npz").softmax(z, -1)
print(np.array_equal(live, recorded), "tensorflow" in sys.modules)
try:
    keras_service.compute("no_such_operation", (), {})
except RuntimeError as error:
    print(error)
service.close()
"""


def test_the_service_computes_what_keras_recorded_and_the_caller_never_imports_tensorflow():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    lines = result.stdout.splitlines()
    assert lines[0] == "True False", result.stderr[-2000:]
    assert lines[1].startswith("the Keras service failed on no_such_operation: AttributeError")


RETIRING = """
import numpy as np
from grader.oracle import service as keras_service
from grader.oracle.recorded import Oracle
from grader.references.store import DATA
from grader.grading.replay import Recording

service = keras_service.KerasService(max_rss_mb=1)  # retires after every answer
keras_service.use(service.address)
examples = Recording.load(DATA / "examples.npz").examples["softmax.matches_keras"][3:6]
oracle = Oracle.from_file(DATA / "oracle.npz")
same = [np.array_equal(keras_service.compute("softmax", (z,), {"axis": -1}), oracle.softmax(z, -1)) for z, in examples]
print(all(same), service.restarts >= 2)
service.close()
"""


def test_a_service_that_grows_too_big_is_replaced_and_callers_carry_on():
    result = subprocess.run([sys.executable, "-c", RETIRING], capture_output=True, text=True, timeout=300)
    assert result.stdout.split() == ["True", "True"], result.stderr[-2000:]
