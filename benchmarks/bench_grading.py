"""How fast grading feels: `grader check` of the solutions and `grader grade` of a class,
beside `python -c "import tensorflow"` measured in the same run (ratios, not absolute times,
are what compare across machines).

With ``--before REV``, the same figures for the commit REV too, measured side by side in one run: REV is checked
out in a temporary git worktree (benchmarks/worktree.py), and every measurement is taken in turn for both commits,
in the order ABBA (REV then this checkout, then this checkout then REV, ...), so that a machine that drifts weighs
on both alike. Each commit grades with its own course.yaml and its own test secret; the class is the same copies
of this checkout's solutions. Prints each figure for both and the ratio of their medians (after / before: below 1
is faster).

Usage: python benchmarks/bench_grading.py [--class-size 100] [--repeat 3] [--before REV]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import worktree  # noqa: E402 - the commit to compare with, checked out beside this one

PROJECT = worktree.PROJECT
GRADER = [sys.executable, "-m", "grader"]


def seconds(command: list[str], tree: Path = PROJECT) -> float:
    """Wall-clock seconds of one run of ``command``, with TREE's kit."""
    start = time.perf_counter()
    subprocess.run(command, cwd=tree, env=worktree.tree_env(tree), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def figures(trees: dict[str, Path], root: Path, out: Path, repeat: int) -> dict[str, dict[str, list[float]]]:
    """Each figure's times over ``repeat`` runs, for each tree; the trees take turns, ABBA."""
    def commands(tree: Path, run: int) -> dict[str, list[str]]:
        secret = ["--secret", str(tree / "tests" / "secret")]  # the kit's test secret: a course's kind of inputs
        grade = [*GRADER, "grade", str(root), *secret]
        return {
            "check": [*GRADER, "check", "solutions", "--json"],
            "check_plain": [*GRADER, "check", "solutions", "--json", "--no-sandbox"],
            "grade": [*grade, "--out", str(out / f"{tree.name}-{run}")],
            "grade_plain": [*grade, "--out", str(out / f"{tree.name}-{run}-plain"), "--no-sandbox"],
        }

    times = {side: {} for side in trees}
    sides = list(trees)
    for figure in ("check", "check_plain", "grade", "grade_plain"):
        runs = repeat if figure.startswith("check") else max(1, repeat // 3) * len(sides)
        for run in range(runs):
            order = sides if run % 2 == 0 else sides[::-1]
            for side in order:
                times[side].setdefault(figure, []).append(seconds(commands(trees[side], run)[figure], trees[side]))
    return times


def report(name: str, measured: dict[str, float], tensorflow: float, n: int) -> None:
    check, check_plain, grade, grade_plain = (measured[f] for f in ("check", "check_plain", "grade", "grade_plain"))
    print(f"{name}:")
    print(f"grader check solutions (sandboxed):       {check:6.2f} s  ({check / tensorflow:.2f} x the TensorFlow import)")
    print(f"grader check solutions --no-sandbox:      {check_plain:6.2f} s")
    print(f"grader grade, {n} copies (sandboxed):    {grade:6.2f} s  ({grade / n:.3f} s per submission)")
    print(f"grader grade, {n} copies --no-sandbox:   {grade_plain:6.2f} s  ({grade_plain / n:.3f} s per submission)")
    print(f"sandbox overhead per submission:          {(grade - grade_plain) / n:+.3f} s "
          f"({grade / grade_plain:.2f} x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each check figure; a third as many "
                        "of each grade figure (one at least; per commit, and twice that with --before)")
    parser.add_argument("--before", metavar="REV", help="the commit to compare this checkout with, side by side")
    args = parser.parse_args()

    tensorflow = statistics.median(seconds([sys.executable, "-c", "import tensorflow"]) for _ in range(args.repeat))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "class"
        for index in range(args.class_size):
            shutil.copytree(PROJECT / "solutions", root / f"student{index:04d}")
        if args.before:
            with worktree.checked_out(args.before, Path(tmp) / "before-tree") as before:
                trees = {"before": before, "after": PROJECT}
                times = figures(trees, root, Path(tmp) / "out", args.repeat)
                labels = {side: f"{side}: {worktree.short_revision(tree)}" for side, tree in trees.items()}
        else:
            times = figures({"this checkout": PROJECT}, root, Path(tmp) / "out", args.repeat)
            labels = {"this checkout": f"this checkout: {worktree.short_revision(PROJECT)}"}

    measured = {side: {figure: statistics.median(values) for figure, values in by_figure.items()}
                for side, by_figure in times.items()}
    print(f"python -c 'import tensorflow':            {tensorflow:6.2f} s")
    for side, values in measured.items():
        report(labels[side], values, tensorflow, args.class_size)
    if args.before:
        print("after / before: the ratio of the medians; the median of the paired runs' ratios (each run of one "
              "commit with the run of the other next to it), lowest and highest:")
        for figure, label in (("check", "grader check solutions (sandboxed)"),
                              ("check_plain", "grader check solutions --no-sandbox"),
                              ("grade", f"grader grade, {args.class_size} copies (sandboxed)"),
                              ("grade_plain", f"grader grade, {args.class_size} copies --no-sandbox")):
            paired = [a / b for a, b in zip(times["after"][figure], times["before"][figure])]
            print(f"  {label + ':':<42}{measured['after'][figure] / measured['before'][figure]:6.3f}  paired "
                  f"{statistics.median(paired):.3f} ({min(paired):.3f} to {max(paired):.3f}, "
                  f"{sum(r < 1 for r in paired)} of {len(paired)} faster after)")


if __name__ == "__main__":
    main()
