"""The recorded Keras results' keys (grader/oracle/recorded.py): the recordings on disk are looked up by them, so
they must not change, whether computed or taken from the cache of operation and parameters."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from grader.oracle.recorded import _key


def test_a_key_is_the_hash_of_the_operation_its_parameters_and_its_arrays():
    array = np.arange(3, dtype=np.float64)
    expected = hashlib.sha256(json.dumps(["dense", {"b": [1, 2], "a": None}], sort_keys=True).encode())
    expected.update(b"<f8(3,)")
    expected.update(array.tobytes())
    for _ in range(2):  # computed, then with the operation and parameters from the cache
        assert _key("dense", (array,), {"b": [1, 2], "a": None}) == expected.hexdigest()[:32]


def test_parameters_that_compare_equal_but_are_written_apart_have_keys_apart():
    z = np.ones(2, np.float32)
    keys = [_key("softmax", (z,), {"axis": value}) for value in (1, 1.0, True, 1, 1.0, True)]
    assert len(set(keys[:3])) == 3 and keys[3:] == keys[:3]  # json writes 1, 1.0 and true
