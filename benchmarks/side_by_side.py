"""One class graded by two commits of the kit, chunk by chunk in alternating order, so that a drifting machine
weighs on both alike.

A shared machine drifts: the same `grader grade` of a class of 1000 took 322 s, then 402 s, then 449 s in one
afternoon here, more than the few per cent two commits differ by. So two whole runs, one after the other, cannot
say which commit is faster. This benchmark writes the class of class_throughput.py (forward_pass as module folders,
the same mix and seed), cuts it into chunks, and grades each chunk with both commits, back to back, in the order
ABBA (before then after for one chunk, after then before for the next), so that a drift that goes one way cancels.
The commit to compare with is checked out in a temporary git worktree and run from there (PYTHONPATH), with this
checkout's Python environment; each commit grades with its own course.yaml and its own test secret (tests/secret,
which matches its own checks and recordings).

Prints each chunk's two wall times, the totals and their ratio, the median of the chunks' ratios (after / before:
below 1 is faster), the CPU time of each, and whether both commits gave every submission the same scores.

``--per-submission`` instead grades one submission at a time, in process (``grade_submission``, sandboxed, as a
grading process of `grader grade` does), in one long-lived process per commit: each submission by both, back to
back, the first one turn about. The finest interleaving, so the steadiest figure on a noisy machine; it prints the
wall time, the grading process' CPU time and its workers' CPU time (from a cpuacct cgroup per grading process) by
kind of submission, and the median of the submissions' ratios.

Usage: python benchmarks/side_by_side.py --before REV [--n 1000] [--chunk 100] [--jobs 2] [--per-submission]
       [--only KIND] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import class_throughput as ct  # noqa: E402 - the class, its grading command and its measurement
import worktree  # noqa: E402 - the commit to compare with, checked out beside this one

COURSE_FOR_TREE = """
import sys, yaml
from pathlib import Path
from grader.course import load_course
tree, out = Path(sys.argv[1]), Path(sys.argv[2])
settings = load_course(tree / "course.yaml")
grading = settings.grading.model_copy(update={"secret_folder": str(tree / "tests" / "secret")})
out.write_text(yaml.safe_dump(settings.model_copy(update={"grading": grading}).model_dump(mode="json"), sort_keys=False))
"""


def tree_env(tree: Path) -> dict:
    return worktree.tree_env(tree, PATH=f"{ct.BIN}{os.pathsep}{os.environ['PATH']}")


def course_for(tree: Path, out: Path) -> Path:
    """TREE's own course, loaded by TREE's own code, graded with TREE's own test secret."""
    subprocess.run([sys.executable, "-c", COURSE_FOR_TREE, str(tree), str(out)], cwd=tree, env=tree_env(tree),
                   check=True)
    return out


def grade(tree: Path, course_file: Path, chunk: Path, out: Path, jobs: int, log: Path) -> ct.Measured:
    command = [str(ct.BIN / "grader"), "--course", str(course_file), "grade", "--assignment", ct.ASSIGNMENT,
               str(chunk), "--out", str(out), "--jobs", str(jobs)]
    return ct.Measured(command, log, cwd=tree, env=tree_env(tree))


GRADING_PROCESS = """
import json, sys, time
from pathlib import Path
from grader.course import load_course
from grader.grading.submission import grade_submission
tree = Path(sys.argv[1])
course = load_course(sys.argv[2])
print("ready", flush=True)
for line in sys.stdin:
    wall, cpu = time.perf_counter(), time.process_time()
    result = grade_submission(Path(line.strip()), course, sandbox=True, secret=tree / "tests" / "secret")
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                      "scores": {e.name: [float(e.score), e.status] for e in result.exercises}}), flush=True)
"""


class GradingProcess:
    """A long-lived process grading with TREE's kit, one submission per request, as a grading process does; in a
    cpuacct cgroup of its own where there is one, which counts its workers' CPU too (killed ones included)."""

    def __init__(self, tree: Path, course_file: Path):
        self.group = ct.cpu_group()
        group = self.group
        self.process = subprocess.Popen([sys.executable, "-c", GRADING_PROCESS, str(tree), str(course_file)],
                                        cwd=tree, env=dict(tree_env(tree), TF_CPP_MIN_LOG_LEVEL="3"), text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        preexec_fn=(lambda: ct.join_group(group)) if group else None)
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit(f"the grading process of {tree} did not start")

    def grade(self, submission: Path) -> dict:
        """The submission's result: wall and CPU seconds of the grading process, ``worker`` the CPU seconds of
        its workers (NaN without a cgroup), and the scores."""
        before = self._group_cpu()
        self.process.stdin.write(f"{submission}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the grading process stopped while grading {submission}")
        result = json.loads(line)
        result["worker"] = self._group_cpu() - before - result["cpu"]
        return result

    def _group_cpu(self) -> float:
        return int((self.group / "cpuacct.usage").read_text()) / 1e9 if self.group else float("nan")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()
        if self.group:
            ct.remove_group(self.group)


def per_chunk(names: list[str], size: int, jobs: int, work: Path, trees: dict, courses: dict) -> dict:
    """`grader grade` of each chunk by both commits, ABBA; prints the figures, returns each side's scores."""
    print(f"{'chunk':>5} {'order':>6} {'before':>9} {'after':>9} {'after/before':>13}")
    walls = {"before": [], "after": []}
    cpus = {"before": 0.0, "after": 0.0}
    scores = {"before": {}, "after": {}}
    for index, start in enumerate(range(0, len(names), size)):
        chunk = work / "chunks" / f"{index:03d}"
        for name in names[start:start + size]:
            shutil.copytree(work / "modules" / name, chunk / name)
        order = ("before", "after") if index % 2 == 0 else ("after", "before")
        for side in order:
            out = work / "out" / side / f"{index:03d}"
            measured = grade(trees[side], courses[side], chunk, out, jobs, work / f"{side}_{index:03d}.log")
            walls[side].append(measured.wall)
            cpus[side] += measured.cpu
            scores[side].update(ct.our_scores(out))
        print(f"{index:>5} {'AB' if order[0] == 'before' else 'BA':>6} {walls['before'][-1]:8.1f}s "
              f"{walls['after'][-1]:8.1f}s {walls['after'][-1] / walls['before'][-1]:13.3f}", flush=True)
    total = {side: sum(values) for side, values in walls.items()}
    ratios = [a / b for a, b in zip(walls["after"], walls["before"])]
    print(f"\ntotal wall: before {total['before']:.1f} s, after {total['after']:.1f} s; "
          f"after / before {total['after'] / total['before']:.3f}")
    print(f"median of the chunks' ratios: {statistics.median(ratios):.3f} "
          f"(lowest {min(ratios):.3f}, highest {max(ratios):.3f}; {sum(r < 1 for r in ratios)} of {len(ratios)} "
          "chunks faster after)")
    print(f"CPU time: before {cpus['before']:.1f} s, after {cpus['after']:.1f} s; "
          f"after / before {cpus['after'] / cpus['before']:.3f}")
    return scores


def per_submission(names: list[str], kinds: list[str], work: Path, trees: dict, courses: dict) -> dict:
    """Each submission by both grading processes, back to back; prints the figures, returns each side's scores."""
    processes = {side: GradingProcess(tree, courses[side]) for side, tree in trees.items()}
    try:
        for name in names[:3]:  # warm both up alike
            for process in processes.values():
                process.grade(work / "modules" / name)
        wall = {side: Counter() for side in trees}
        cpu = {side: Counter() for side in trees}
        worker = {side: Counter() for side in trees}
        ratios = []
        scores = {"before": {}, "after": {}}
        for index, name in enumerate(names):
            order = ("before", "after") if index % 2 == 0 else ("after", "before")
            result = {side: processes[side].grade(work / "modules" / name) for side in order}
            for side in trees:
                wall[side][kinds[index]] += result[side]["wall"]
                cpu[side][kinds[index]] += result[side]["cpu"]
                worker[side][kinds[index]] += result[side]["worker"]
                scores[side][name] = result[side]["scores"]
            ratios.append(result["after"]["wall"] / result["before"]["wall"])
    finally:
        for process in processes.values():
            process.close()
    print(f"{'kind':<15} {'count':>5} {'wall':>19} {'grading CPU':>19} {'worker CPU':>19}")
    print(f"{'':<15} {'':>5}" + f" {'before':>9} {'after':>9}" * 3)
    for kind in sorted(set(kinds)):
        print(f"{kind:<15} {kinds.count(kind):>5}" + "".join(
            f" {figure['before'][kind]:8.1f}s {figure['after'][kind]:8.1f}s" for figure in (wall, cpu, worker)))
    total = {side: sum(wall[side].values()) for side in trees}
    total_cpu = {side: sum(cpu[side].values()) for side in trees}
    total_worker = {side: sum(worker[side].values()) for side in trees}
    print(f"\ntotal wall: before {total['before']:.1f} s, after {total['after']:.1f} s; "
          f"after / before {total['after'] / total['before']:.3f}")
    print(f"median of the submissions' ratios: {statistics.median(ratios):.3f} "
          f"({sum(r < 1 for r in ratios)} of {len(ratios)} faster after)")
    print(f"grading process CPU: before {total_cpu['before']:.1f} s, after {total_cpu['after']:.1f} s; "
          f"after / before {total_cpu['after'] / total_cpu['before']:.3f}")
    print(f"workers' CPU: before {total_worker['before']:.1f} s, after {total_worker['after']:.1f} s; "
          f"after / before {total_worker['after'] / total_worker['before']:.3f}")
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the commit to compare this checkout with (any git revision)")
    parser.add_argument("--n", type=int, default=1000, help="class size [1000]")
    parser.add_argument("--chunk", type=int, default=100, help="submissions per chunk [100]")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="grader grade --jobs [CPU count]")
    parser.add_argument("--per-submission", action="store_true",
                        help="one submission at a time, in process, each by both commits back to back")
    parser.add_argument("--only", metavar="KIND", help="grade only this kind of submission (e.g. correct)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="side-by-side-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        with worktree.checked_out(args.before, work / "before-tree") as before:
            compare(args, work, {"before": before, "after": ct.PROJECT})
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def compare(args: argparse.Namespace, work: Path, trees: dict) -> None:
    from grader.course import load_course

    env = ct.isolated_env(work)
    courses = {side: course_for(tree, work / f"course_{side}.yaml") for side, tree in trees.items()}
    env["GRADER_COURSE"] = str(courses["after"])
    names, _, kinds, _, _ = ct.write_class(args.n, load_course(courses["after"]), courses["after"],
                                           work / "course", work, env)
    counts = {kind: kinds.count(kind) for kind in sorted(set(kinds))}
    print(f"class of {args.n}: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()))
    if args.only:
        chosen = [(name, kind) for name, kind in zip(names, kinds) if kind == args.only]
        if not chosen:
            raise SystemExit(f"the class has no submission of the kind {args.only!r}: try one of {sorted(counts)}")
        names, kinds = [name for name, _ in chosen], [kind for _, kind in chosen]
        print(f"graded: only the {len(names)} {args.only}")
    mode = "one submission at a time, each by both" if args.per_submission else \
        f"chunks of {args.chunk}, grader grade --jobs {args.jobs}"
    print(f"before: {worktree.short_revision(trees['before'])} ({args.before}); after: this checkout, "
          f"{worktree.short_revision(trees['after'])}; {mode}; on {os.cpu_count()} cores\n")
    if args.per_submission:
        scores = per_submission(names, kinds, work, trees, courses)
    else:
        scores = per_chunk(names, args.chunk, args.jobs, work, trees, courses)
    same = [name for name in names if scores["before"].get(name) == scores["after"].get(name)]
    print(f"the same scores, exercise by exercise: {len(same)}/{len(names)} submissions")
    for name in [name for name in names if name not in same][:5]:
        print(f"  differs: {name}: before {scores['before'].get(name)}, after {scores['after'].get(name)}")


if __name__ == "__main__":
    main()
