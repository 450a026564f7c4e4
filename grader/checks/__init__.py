"""The checks, one module per exercise; CHECKS maps exercise name -> check name -> Check."""

from grader.checks import accuracy, dense, softmax
from grader.checks.base import Check

CHECKS: dict[str, dict[str, Check]] = {
    module.__name__.rsplit(".", 1)[1]: {check.name: check for check in module.CHECKS}
    for module in (softmax, dense, accuracy)
}

__all__ = ["CHECKS", "Check"]
