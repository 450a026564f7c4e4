"""The checks, one module per exercise (mlp.py holds two); CHECKS maps exercise name -> check name -> Check."""

from grader.checks import accuracy, crossentropy, dense, glorot, gradients, mlp, one_hot, sgd, softmax, training
from grader.checks.base import Check

CHECKS: dict[str, dict[str, Check]] = {
    **{
        module.__name__.rsplit(".", 1)[1]: {check.name: check for check in module.CHECKS}
        for module in (softmax, dense, accuracy, one_hot, crossentropy, glorot, gradients, sgd, training)
    },
    "relu": {check.name: check for check in mlp.RELU_CHECKS},
    "mlp": {check.name: check for check in mlp.MLP_CHECKS},
}

__all__ = ["CHECKS", "Check"]
