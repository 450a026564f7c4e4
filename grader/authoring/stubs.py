"""Student stubs, generated from the reference solutions (the one source of truth).

A solution module marks its answer with nbgrader's markers:

    ### BEGIN SOLUTION
    ...the answer...
    ### END SOLUTION

The stub is the same file with that region replaced by a ``NotImplementedError``
naming the function; signature, docstring and imports stay word for word.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader.errors import GraderError

REGION = re.compile(
    r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*\n",
    re.MULTILINE | re.DOTALL,
)
MARKERS = "### BEGIN SOLUTION ... ### END SOLUTION"
"""The region a solution's answer sits in, as people write it."""
DEF = re.compile(r"^def (\w+)\(", re.MULTILINE)


def make_stub(solution_source: str, filename: str = "<solution>") -> str:
    """Return the student stub for one solution module's source text."""
    pieces, position = [], 0
    for match in REGION.finditer(solution_source):
        function = _enclosing_function(solution_source, match.start(), filename)
        indent = match["indent"]
        pieces.append(solution_source[position : match.start()])
        pieces.append(
            f"{indent}# YOUR CODE HERE\n"
            f"{indent}raise NotImplementedError(\"{function}() is not written yet: "
            f"replace this line with your code (the docstring above says what to compute).\")\n"
        )
        position = match.end()
    if not pieces:
        raise GraderError(f"{filename} has no '### BEGIN SOLUTION' ... '### END SOLUTION' region to turn into a stub.")
    pieces.append(solution_source[position:])
    return "".join(pieces)


def _enclosing_function(source: str, offset: int, filename: str) -> str:
    names = DEF.findall(source[:offset])
    if not names:
        raise GraderError(f"{filename}: a solution region must sit inside a top-level function.")
    return names[-1]


def write_stubs(solutions: Path, exercises: Path, modules: list[str]) -> list[Path]:
    """Write exercises/<module>.py for each module from solutions/<module>.py."""
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for module in modules:
        source = solutions / f"{module}.py"
        target = exercises / f"{module}.py"
        target.write_text(make_stub(source.read_text(), str(source)))
        written.append(target)
    return written


def stale_stubs(solutions: Path, exercises: Path, modules: list[str]) -> list[str]:
    """Names of the stubs in exercises/ that differ from what the solutions generate."""
    stale = []
    for module in modules:
        expected = make_stub((solutions / f"{module}.py").read_text())
        target = exercises / f"{module}.py"
        if not target.is_file() or target.read_text() != expected:
            stale.append(module)
    return stale
