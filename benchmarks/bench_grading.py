"""How fast grading feels: `grader check` of the solutions and `grader grade` of a class,
beside `python -c "import tensorflow"` measured in the same run (ratios, not absolute times,
are what compare across machines).

Usage: python benchmarks/bench_grading.py [--class-size 100] [--repeat 3]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
GRADER = [sys.executable, "-m", "grader"]


def wall(command: list[str], repeat: int) -> float:
    """Median wall-clock seconds of ``command`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=PROJECT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tensorflow = wall([sys.executable, "-c", "import tensorflow"], args.repeat)
    check = wall([*GRADER, "check", "solutions", "--json"], args.repeat)
    check_plain = wall([*GRADER, "check", "solutions", "--json", "--no-sandbox"], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "class"
        for index in range(args.class_size):
            shutil.copytree(PROJECT / "solutions", root / f"student{index:04d}")
        secret = ["--secret", str(PROJECT / "tests" / "secret")]  # the kit's test secret: a course's kind of inputs
        grade = wall([*GRADER, "grade", str(root), "--out", str(Path(tmp) / "out"), *secret], 1)
        grade_plain = wall([*GRADER, "grade", str(root), "--out", str(Path(tmp) / "out2"), "--no-sandbox", *secret], 1)

    n = args.class_size
    print(f"python -c 'import tensorflow':            {tensorflow:6.2f} s")
    print(f"grader check solutions (sandboxed):       {check:6.2f} s  ({check / tensorflow:.2f} x the TensorFlow import)")
    print(f"grader check solutions --no-sandbox:      {check_plain:6.2f} s")
    print(f"grader grade, {n} copies (sandboxed):    {grade:6.2f} s  ({grade / n:.3f} s per submission)")
    print(f"grader grade, {n} copies --no-sandbox:   {grade_plain:6.2f} s  ({grade_plain / n:.3f} s per submission)")
    print(f"sandbox overhead per submission:          {(grade - grade_plain) / n:+.3f} s "
          f"({grade / grade_plain:.2f} x)")


if __name__ == "__main__":
    main()
