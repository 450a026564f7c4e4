"""The checks: one module per exercise, ``grader/checks/<exercise>.py``, found by name (no list to edit).

Each check is an ordinary pytest test with Hypothesis, ``test_<check>``, whose docstring says what it proves (its
first paragraph is the check's title in every report) and which returns when the check passes or raises
CheckFailed with the feedback (a plain ``assert`` works too). ``<check>`` is the name course.yaml gives its points.
Its inputs are drawn by ``@given(z=strategies.logits())``; what else it needs it asks for by parameter name, as
pytest fixtures are: ``student`` (the student's function, in its sandboxed process), ``keras`` (the oracle),
``notes``, ``mnist`` (the MNIST reference batches), ``references`` and ``ctx`` (grader.checks.base.FIXTURES). The helpers
(expect_array, Mistake, strategies.unpacked) are functions to call, not classes to subclass.
``CONTRACTS`` says which docstring promise each check tests (grader.authoring.contracts). The grading engine runs
the checks (grader.checks.base.runner: the recorded examples replayed, the secret's draws at grade time, a failure
shrunk), and ``pytest --submission DIR`` shows each one as a pytest test (grader.pytest_plugin).
``base`` and any module whose name starts with ``_`` hold helpers.

CHECKS maps exercise name -> check name -> Check; CONTRACTS maps exercise name -> its promises.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from grader.checks.base import Check, runner

HELPERS = {"base"}
PREFIX = "test_"


def _title(function) -> str:
    doc = inspect.getdoc(function)
    if not doc:
        raise ImportError(f"{function.__module__}.{function.__name__} has no docstring: its first paragraph is the "
                          "check's title, what it proves, shown in every report.")
    return " ".join(doc.split("\n\n")[0].split())


def _checks(module) -> tuple[Check, ...]:
    """The module's test_<name> functions, in the order they are written."""
    return tuple(Check(name[len(PREFIX):], _title(value), runner(value)) for name, value in vars(module).items()
                 if name.startswith(PREFIX) and inspect.isfunction(value) and value.__module__ == module.__name__)


def _exercises() -> dict[str, tuple[tuple[Check, ...], tuple]]:
    found: dict[str, tuple[tuple[Check, ...], tuple]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name in HELPERS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        checks = _checks(module)
        if not checks:
            raise ImportError(f"{module.__file__} has no test_<check> function: a check module grades the "
                              "exercise it is named after; name a helper module with a leading underscore.")
        found[info.name] = (checks, tuple(getattr(module, "CONTRACTS", ())))
    return found


_FOUND = _exercises()
CHECKS: dict[str, dict[str, Check]] = {name: {check.name: check for check in checks}
                                       for name, (checks, _) in _FOUND.items()}
CONTRACTS: dict[str, tuple] = {name: contracts for name, (_, contracts) in _FOUND.items()}

__all__ = ["CHECKS", "CONTRACTS", "Check"]
