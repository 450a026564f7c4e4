"""The checks, one module per exercise; CHECKS maps exercise name -> check name -> Check."""

from grader.checks import accuracy, crossentropy, dense, gradients, one_hot, sgd, softmax
from grader.checks.base import Check

CHECKS: dict[str, dict[str, Check]] = {
    module.__name__.rsplit(".", 1)[1]: {check.name: check for check in module.CHECKS}
    for module in (softmax, dense, accuracy, one_hot, crossentropy, gradients, sgd)
}

__all__ = ["CHECKS", "Check"]
