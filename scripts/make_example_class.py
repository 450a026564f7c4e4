"""Make the built-in example class: one folder per student, built from the test corpus.

Usage: python scripts/make_example_class.py OUT
Each student is the reference solutions with one corpus entry laid over them (or the stubs).
"""

import shutil
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT / "tests"))

from corpus import ROOT, assemble  # noqa: E402

STUDENTS = {
    "ada": None,  # the reference solutions
    "babbage": "stubs",
    "curie": "buggy/softmax_overflow",
    "dijkstra": "buggy/dense_no_bias",
    "euler": "buggy/accuracy_percentage",
    "fermi": "correct/loops",
    "gauss": "broken/syntax_error",
    "hopper": "correct/logsumexp_einsum",
    "noether": "buggy/dense_transposed",
    "turing": "buggy/accuracy_last_tie",
}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for student, entry in STUDENTS.items():
        target = out / student
        shutil.rmtree(target, ignore_errors=True)
        if entry == "stubs":
            shutil.copytree(PROJECT / "exercises", target, ignore=shutil.ignore_patterns("__pycache__"))
        elif entry is None:
            shutil.copytree(PROJECT / "solutions", target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            built = assemble(ROOT / entry, out / ".staging")
            shutil.move(built, target)
    shutil.rmtree(out / ".staging", ignore_errors=True)
    print(f"example class of {len(STUDENTS)} students in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
