"""How long is the report of one mistake? Prints, for corpus entries, the lines `grader check` prints.

    .venv/bin/python benchmarks/feedback_length.py [ENTRY ...]   # default: every buggy entry

For each buggy entry of tests/submissions/ (graded on the tests' grade-time inputs, as in the
corpus tests): the whole report's lines, and the lines of the panels of the exercise the bug is in.
Works on older checkouts too (it only reads the printed report), so a before/after is one command
in each.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from rich.console import Console  # noqa: E402

from conftest import SECRET  # noqa: E402
from corpus import ROOT as CORPUS, assemble, expectation  # noqa: E402
from grader.course import load_course  # noqa: E402
from grader.grading.submission import grade_submission  # noqa: E402
from grader.grading.reports import print_report  # noqa: E402


def panel_lines(text: str, exercise: str) -> int:
    """Lines of the report's panels about ``exercise`` (titles read '<exercise> / <check>...')."""
    count, inside = 0, False
    for line in text.splitlines():
        if line.startswith("╭"):
            inside = f" {exercise} / " in line
        if inside:
            count += 1
        if line.startswith("╰"):
            inside = False
    return count


def main(names: list[str]) -> None:
    course = load_course()
    entries = [CORPUS / "buggy" / name for name in names] or sorted(p for p in (CORPUS / "buggy").iterdir() if p.is_dir())
    print(f"{'entry':32} {'report':>7} {'its exercise':>13}")
    worst = 0
    for entry in entries:
        exercise = expectation(entry)["exercise"]
        with tempfile.TemporaryDirectory() as scratch:
            result = grade_submission(assemble(entry, Path(scratch)), course, secret=SECRET)
        console = Console(file=io.StringIO(), width=100, record=True)
        print_report(result, console)
        text = console.export_text()
        own = panel_lines(text, exercise)
        worst = max(worst, own)
        print(f"{entry.name:32} {len(text.splitlines()):7} {own:13}")
    print(f"longest report of one exercise's mistake: {worst} lines")


if __name__ == "__main__":
    main(sys.argv[1:])
