"""The helpers a check module calls: a plain assert fails a check the way CheckFailed does."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.base import failed_assertions
from grader.grading.compare import CheckFailed


def test_a_plain_or_numpy_testing_assert_fails_a_check_with_its_message():
    def body(z):
        np.testing.assert_allclose(z, np.zeros_like(z), err_msg="every value of z should be 0")

    failed_assertions(body)(np.zeros(3))  # passes quietly
    with pytest.raises(CheckFailed, match="every value of z should be 0") as failure:
        failed_assertions(body)(np.ones(3))
    assert "Mismatched elements: 3 / 3" in failure.value.problem and failure.value.hint is None

    def bare(z):
        raise AssertionError  # what `assert z.sum() == 0` raises in a check module (pytest rewrites this one's)

    with pytest.raises(CheckFailed, match="An assertion of the check failed."):
        failed_assertions(bare)(np.ones(2))
