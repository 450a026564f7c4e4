"""The checks: one module per exercise, found by name, so adding an exercise adds a module and touches no list.

A module ``grader/checks/<exercise>.py`` grades the exercise of that name with ``CHECKS`` (a tuple of Check) and
says which docstring promise each check tests with ``CONTRACTS`` (grader.contracts). A module that grades
several exercises (mlp.py: relu and mlp) has ``EXERCISES = {name: (checks, contracts)}`` instead. ``base`` and
any module whose name starts with ``_`` hold helpers.

CHECKS maps exercise name -> check name -> Check; CONTRACTS maps exercise name -> its promises.
"""

from __future__ import annotations

import importlib
import pkgutil

from grader.checks.base import Check

HELPERS = {"base"}


def _exercises() -> dict[str, tuple[tuple[Check, ...], tuple]]:
    found: dict[str, tuple[tuple[Check, ...], tuple]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        if info.name in HELPERS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "EXERCISES"):
            graded = dict(module.EXERCISES)
        elif hasattr(module, "CHECKS"):
            graded = {info.name: (module.CHECKS, getattr(module, "CONTRACTS", ()))}
        else:
            raise ImportError(f"{module.__file__} defines neither CHECKS nor EXERCISES: name a helper module "
                              "with a leading underscore.")
        for name, (checks, contracts) in graded.items():
            if name in found:
                raise ImportError(f"{module.__file__}: the exercise {name!r} is graded by two check modules.")
            found[name] = (tuple(checks), tuple(contracts))
    return found


_FOUND = _exercises()
CHECKS: dict[str, dict[str, Check]] = {name: {check.name: check for check in checks}
                                       for name, (checks, _) in _FOUND.items()}
CONTRACTS: dict[str, tuple] = {name: contracts for name, (_, contracts) in _FOUND.items()}

__all__ = ["CHECKS", "CONTRACTS", "Check"]
