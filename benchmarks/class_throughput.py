"""A whole class graded two ways: `grader grade` against `nbgrader autograde`, on the same notebooks.

Makes a class of N submissions of the first assignment (forward_pass), each both as a
folder of modules and as the equivalent notebook: the same answer code, so the same
grade. The mix is fixed by a seed: about half correct (the reference and the correct
variants of tests/submissions/), a quarter with one known bug, a tenth not attempted,
a tenth half done, a few broken (syntax error, raises at import...) and a few hostile
(tests/submissions/hostile/: crash, fork bomb, memory hog, CPU burn, forbidden import...).

Then, one after the other on this machine:
  1. grader grade of the module folders            (sandboxed, --jobs = CPU count)
  2. grader grade of the notebooks                  (the same, reading the notebooks)
  3. grader grade of the notebooks again            (nothing changed: every one skipped)
  4. nbgrader autograde of the notebooks            (the course's nbgrader configuration: scores from
                                                    the sandboxed grader inside nbgrader, no kernel)
  5. nbgrader autograde executing the notebooks in a kernel first (nbgrader's usual way; the
     course itself never does, see grader/jupyter/course_folder.py), on the first K notebooks only: it takes ~10 s each,
     so its time for the class is extrapolated from them, and said so
  6. the baseline an instructor would otherwise pick: the same answers in an ordinary nbgrader
     assignment written without this kit (plain_nbgrader.py: test cells of NumPy asserts against
     stored expected values, run in a kernel without TensorFlow and without a sandbox), on the
     first B notebooks (all of them with --baseline-sample 0), extrapolated to the class if B < N;
     hostile submissions get the stubs there instead, since nothing would contain them
and prints each one's wall time, CPU time (of every process it started, read from a
cpuacct cgroup where there is one), peak memory (of the grader's own processes: all together
as PSS, so shared libraries count once, and the largest as RSS; and apart from them the
largest sandboxed student worker, whose memory is the student code's), the ratio of the times, and whether the scores agree exercise by
exercise between nbgrader's gradebook and the grader's.

Usage: python benchmarks/class_throughput.py [--n 100] [--jobs 2] [--no-nbgrader] [--execute-sample 10]
       [--baseline-sample 100] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import yaml

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT / "tests" / "submissions"
BIN = Path(sys.executable).parent
ASSIGNMENT = "forward_pass"
EXERCISES = ("softmax", "dense", "accuracy")
HOSTILE = ("os_exit_in_function", "uses_keras", "fork_bomb", "hunts_for_solutions", "memory_hog",
           "cpu_burn_ignores_sigxcpu", "writes_results_files", "monkeypatches_numpy")
BROKEN = ("syntax_error", "raises_at_import", "missing_function", "prints_and_raises")
CORRECT = ("float64_everywhere", "logsumexp_einsum", "loops")


def corpus_code(kind: str, entry: str, exercise: str) -> str | None:
    path = CORPUS / kind / entry / f"{exercise}.py"
    return path.read_text().replace("from softmax import softmax", "") if path.is_file() else None


def buggy_entries() -> list[tuple[str, str]]:
    """(entry, exercise) for every known bug of the assignment's exercises."""
    return [(entry.name, exercise) for entry in sorted((CORPUS / "buggy").iterdir()) for exercise in EXERCISES
            if corpus_code("buggy", entry.name, exercise) is not None]


def make_class(n: int, reference: dict, stubs: dict, seed: int = 0) -> tuple[list[dict], list[str]]:
    """N students' answer cells (grade_id -> code) and each one's kind ("correct", "hostile"...)."""
    rng = random.Random(seed)
    bugs, students, kinds = buggy_entries(), [], []
    hostile_count, broken_count = max(1, n // 200), max(1, n // 50)
    for index in range(n):
        answers = dict(reference)
        if index < hostile_count:
            kind, entry = "hostile", HOSTILE[index % len(HOSTILE)]
            answers.update({f"{e}-answer": code for e in EXERCISES if (code := corpus_code("hostile", entry, e))})
        elif index < hostile_count + broken_count:
            kind, entry = "broken", BROKEN[index % len(BROKEN)]
            answers.update({f"{e}-answer": code for e in EXERCISES if (code := corpus_code("broken", entry, e))})
        else:
            roll = rng.random()
            if roll < 0.5:
                kind = "correct"
                variant = rng.choice((None, *CORRECT))
                if variant:
                    answers.update({f"{e}-answer": corpus_code("correct", variant, e) for e in EXERCISES})
            elif roll < 0.75:
                kind = "one bug"
                entry, exercise = rng.choice(bugs)
                answers[f"{exercise}-answer"] = corpus_code("buggy", entry, exercise)
            elif roll < 0.85:
                kind, answers = "not attempted", dict(stubs)
            else:
                kind = "half done"
                for exercise in EXERCISES[rng.randint(1, 2):]:
                    answers[f"{exercise}-answer"] = stubs[f"{exercise}-answer"]
        kinds.append(kind)
        students.append(answers)
    order = list(range(n))
    rng.shuffle(order)  # hostile and broken ones spread through the class, as in a real one
    return [students[i] for i in order], [kinds[i] for i in order]


def isolated_env(work: Path) -> dict:
    """This environment with the venv's commands first (nbgrader runs alembic by name) and Jupyter's and
    IPython's folders inside WORK, so that nothing of the user's own configuration takes part."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (work / "home" / name).mkdir(parents=True, exist_ok=True)
        env[name] = str(work / "home" / name)
    return env


def write_class(n: int, settings, course_file: Path, course: Path, work: Path, env: dict):
    """The class of N: builds the nbgrader course folder in COURSE, writes each student's notebook to its
    submitted/ folder and the same answers as a folder of modules to WORK/modules/NAME. Returns the names, each
    one's answer cells, each one's kind, and the reference and the stub answer cells."""
    from grader.jupyter.course_folder import build_course_folder
    from grader.jupyter.submission import answer_code, write_modules

    build_course_folder(settings, course_file, course)
    subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=course, env=env,
                   check=True, capture_output=True)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)

    def answers_of(notebook):
        return {c.metadata["nbgrader"]["grade_id"]: c.source for c in notebook.cells
                if c.metadata.get("nbgrader", {}).get("solution")}

    students, kinds = make_class(n, answers_of(source), answers_of(release))
    names = [f"student{index:04d}" for index in range(n)]
    for name, answers in zip(names, students):
        notebook = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if grade_id in answers:
                cell.source = answers[grade_id]
        target = course / "submitted" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        write_modules(answer_code(notebook), work / "modules" / name, list(EXERCISES), target.name)
    return names, students, kinds, answers_of(source), answers_of(release)


class Measured:
    """Runs a command; its wall time, its CPU time and its peak memory (sampled every 0.25 s)."""

    def __init__(self, command: list[str], log: Path, **kwargs):
        self.command = command
        group = cpu_group()
        busy_before = _machine_busy()
        started = time.perf_counter()
        with log.open("w") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                       preexec_fn=(lambda: join_group(group)) if group else None, **kwargs)
            self.peak_process, self.peak_total, self.peak_student = 0, 0, 0
            root = psutil.Process(process.pid)
            while process.poll() is None:
                self._sample(root)
                time.sleep(0.25)
        self.wall = time.perf_counter() - started
        self.returncode = process.returncode
        if group:
            self.cpu, self.cpu_source = int((group / "cpuacct.usage").read_text()) / 1e9, "cpuacct cgroup"
            remove_group(group)
        else:
            self.cpu, self.cpu_source = _machine_busy() - busy_before, "whole machine (/proc/stat)"
        if self.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({self.returncode}); see {log}")

    def _sample(self, root: psutil.Process) -> None:
        """Memory now: the grader's own processes (PSS, so shared libraries count once), apart from the
        sandboxed workers that run student code (bubblewrap and what it started: their memory is the
        students', capped per worker by the course's limits)."""
        rss, pss, student = [], [], 0
        try:
            for member in (root, *root.children(recursive=True)):
                if any(a.name() == "bwrap" for a in (member, *member.parents())):
                    student = max(student, member.memory_info().rss)
                    continue
                memory = member.memory_full_info()
                rss.append(memory.rss)
                pss.append(memory.pss)
        except psutil.Error:
            pass
        if rss:
            self.peak_process = max(self.peak_process, max(rss))
            self.peak_total = max(self.peak_total, sum(pss))
        self.peak_student = max(self.peak_student, student)

    def line(self, label: str) -> str:
        return (f"{label:<44} {self.wall:7.1f} s wall {self.cpu:7.1f} s CPU | grader: {self.peak_total / 2**20:5.0f} MiB "
                f"all processes (PSS), {self.peak_process / 2**20:5.0f} MiB the largest (RSS) | "
                f"{self.peak_student / 2**20:5.0f} MiB largest student worker")


def cpu_group() -> Path | None:
    """A new cpuacct cgroup (its cpuacct.usage counts every process that joins it, and their children), or None
    where there is no writable cpuacct hierarchy."""
    root = Path("/sys/fs/cgroup/cpuacct")
    if not (root / "cpuacct.usage").exists():
        return None
    group = root / f"class-throughput-{uuid.uuid4().hex[:8]}"
    try:
        group.mkdir()
    except OSError:
        return None
    return group


def join_group(group: Path) -> None:
    (group / "cgroup.procs").write_text(str(os.getpid()))


def remove_group(group: Path) -> None:
    for _ in range(100):
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.05)


def _machine_busy() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _executing_course(work: Path, env: dict, course: Path, students: list[str], settings) -> Path:
    """A second nbgrader course folder that executes notebooks in a kernel, with ``students``' notebooks."""
    from grader.jupyter.course_folder import build_course_folder

    executing = work / "course_execute"
    executing.mkdir()
    (executing / "course.yaml").write_text(yaml.safe_dump(settings.model_dump(mode="json"), sort_keys=False))
    build_course_folder(settings, executing / "course.yaml", executing)
    with (executing / "nbgrader_config.py").open("a") as config:  # nbgrader's usual way: run the kernel first
        config.write("\nfrom nbgrader.preprocessors import Execute\n"
                     "c.Autograde.autograde_preprocessors = [Execute, *c.Autograde.autograde_preprocessors]\n")
    subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"], cwd=executing,
                   env=dict(env, GRADER_COURSE=str(executing / "course.yaml")), check=True, capture_output=True)
    for student in students:
        shutil.copytree(course / "submitted" / student, executing / "submitted" / student)
    return executing


def our_scores(out: Path) -> dict:
    return {s["submission"]: {e["name"]: e["score"] for e in s["exercises"]}
            for s in json.loads((out / "summary.json").read_text())}


def nbgrader_scores(course: Path, students: list[str]) -> dict:
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            scores[student] = {e: gradebook.find_grade(e, ASSIGNMENT, ASSIGNMENT, student).score for e in EXERCISES}
    return scores


def default_secret() -> Path:
    """The course's secret folder if it is ready, else the kit's test secret (inputs of the same kinds)."""
    from grader.course import DEFAULT_COURSE, load_course
    from grader.references.secret import folder_for, problem_with

    folder = folder_for(load_course(), DEFAULT_COURSE)
    return folder if problem_with(folder, load_course()) is None else PROJECT / "tests" / "secret"


def baseline(args, work: Path, env: dict, names: list[str], students: list[dict], kinds: list[str],
             solutions: dict, stubs: dict, ours: Measured) -> None:
    """Step 6: the plain nbgrader assignment on (a sample of) the same class; the ratio of the times."""
    import plain_nbgrader

    size = len(names) if args.baseline_sample in (0, len(names)) else min(args.baseline_sample, len(names))
    sample = {name: stubs if kind == "hostile" else answers
              for name, answers, kind in list(zip(names, students, kinds))[:size]}
    folder = work / "plain_nbgrader"
    plain_nbgrader.build(folder, solutions, sample, env, BIN / "nbgrader")
    measured = Measured([str(BIN / "nbgrader"), "autograde", plain_nbgrader.ASSIGNMENT], work / "plain_nbgrader.log",
                        cwd=folder, env=env)
    hostile = kinds[:size].count("hostile")
    print(f"\n{measured.line(f'plain nbgrader (no kit), {size} notebooks')}")
    print(f"  {hostile} hostile submission(s) replaced by the stubs there: unsandboxed, they would harm the machine")
    class_time = measured.wall / size * len(names)
    print(f"  {measured.wall / size:.2f} s per notebook; for the class of {len(names)}"
          f"{', extrapolated' if size < len(names) else ''}: {class_time:.0f} s")
    print(f"wall time, grader grade (notebooks) / plain nbgrader: {ours.wall / class_time:.3f} "
          f"(1/{class_time / ours.wall:.1f})")
    theirs, graded = plain_nbgrader.scores(folder, list(sample)), our_scores(work / "out_notebooks")
    from grader.course import load_course

    course_full = {e.name: e.max_score for e in load_course().exercises()}
    plain_full = {e: float(sum(points for _, points, _ in tests)) for e, tests in plain_nbgrader.TESTS.items()}
    same = sum({e: theirs[n][e] == plain_full[e] for e in plain_full} ==
               {e: graded[n].get(e) == course_full[e] for e in plain_full} for n in sample)
    print(f"  full marks on the same exercises as grader grade: {same}/{size} submissions "
          "(the plain tests check less, so some bugs pass them)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="class size [100; 1000 for the headline]")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="grader grade --jobs [CPU count]")
    parser.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader (it takes ~1 s per notebook)")
    parser.add_argument("--execute-sample", type=int, default=10,
                        help="notebooks for nbgrader with kernel execution [10; 0 skips it]")
    parser.add_argument("--baseline-sample", type=int, default=100,
                        help="notebooks for the plain nbgrader baseline [100; 0: the whole class; -1 skips it]")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--secret", type=Path, help="the course secret's folder [the course's if made, else the "
                        "kit's test secret, tests/secret]")
    args = parser.parse_args()

    from grader.course import load_course
    work = args.keep or Path(tempfile.mkdtemp(prefix="class-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    course = work / "course"
    env = isolated_env(work)
    secret = args.secret or default_secret()
    settings = load_course()
    settings = settings.model_copy(update={"grading": settings.grading.model_copy(update={"secret_folder": str(secret)})})
    course_file = work / "course.yaml"
    course_file.write_text(yaml.safe_dump(settings.model_dump(mode="json"), sort_keys=False))
    env["GRADER_COURSE"] = str(course_file)
    try:
        names, students, kinds, reference, stubs = write_class(args.n, settings, course_file, course, work, env)
        counts = {kind: kinds.count(kind) for kind in sorted(set(kinds))}
        print(f"class of {args.n}: " + ", ".join(f"{count} {kind}" for kind, count in counts.items()))
        print(f"on {os.cpu_count()} cores; grader grade --jobs {args.jobs}; work folder {work}\n")

        grade = [str(BIN / "grader"), "--course", str(course_file), "grade", "--assignment", ASSIGNMENT]
        jobs = ["--jobs", str(args.jobs)]
        modules = Measured([*grade, str(work / "modules"), "--out", str(work / "out_modules"), *jobs], work / "modules.log")
        print(modules.line("grader grade, module folders"), flush=True)
        notebooks = Measured([*grade, str(course / "submitted"), "--out", str(work / "out_notebooks"), *jobs],
                             work / "notebooks.log")
        print(notebooks.line("grader grade, notebooks"), flush=True)
        rerun = Measured([*grade, str(course / "submitted"), "--out", str(work / "out_notebooks"), *jobs],
                         work / "rerun.log")
        print(rerun.line("grader grade, notebooks again (all unchanged)"), flush=True)
        ours = our_scores(work / "out_notebooks")
        same_forms = sum(ours[name] == scores for name, scores in our_scores(work / "out_modules").items())
        print(f"\nmodules and notebooks graded the same: {same_forms}/{args.n} submissions")
        print((work / "notebooks.log").read_text().strip().splitlines()[-1])
        if not args.no_nbgrader:
            autograde = Measured([str(BIN / "nbgrader"), "autograde", ASSIGNMENT], work / "nbgrader.log",
                                 cwd=course, env=env)
            print(autograde.line("nbgrader autograde, notebooks"))
            theirs = nbgrader_scores(course, names)
            agree = [name for name in names if theirs[name] == ours[name]]
            print(f"nbgrader and grader agree on every exercise: {len(agree)}/{args.n} submissions")
            for name in [n for n in names if n not in agree][:5]:
                print(f"  differs: {name}: nbgrader {theirs[name]}, grader {ours[name]}")
            print(f"\nwall time, grader grade / nbgrader autograde (notebooks): {notebooks.wall / autograde.wall:.3f} "
                  f"(1/{autograde.wall / notebooks.wall:.1f})")
            print(f"CPU time, the same ratio:                                  {notebooks.cpu / autograde.cpu:.3f} "
                  f"(1/{autograde.cpu / notebooks.cpu:.1f})")
        if not args.no_nbgrader and args.execute_sample:
            sample = names[: args.execute_sample]
            executing = _executing_course(work, env, course, sample, settings)
            measured = Measured([str(BIN / "nbgrader"), "autograde", ASSIGNMENT], work / "nbgrader_execute.log",
                                cwd=executing, env=dict(env, GRADER_COURSE=str(executing / "course.yaml")))
            per_notebook = measured.wall / len(sample)
            print(f"\n{measured.line(f'nbgrader autograde in a kernel, {len(sample)} notebooks')}")
            theirs = nbgrader_scores(executing, sample)
            print(f"  agrees with grader on every exercise: {sum(theirs[n] == ours[n] for n in sample)}/{len(sample)}")
            print(f"  {per_notebook:.2f} s per notebook; for the class of {args.n}, extrapolated: "
                  f"{per_notebook * args.n:.0f} s; grader grade / that: 1/{per_notebook * args.n / notebooks.wall:.0f}")
        if args.baseline_sample >= 0:
            baseline(args, work, env, names, students, kinds, reference, stubs, notebooks)
        print(f"CPU time measured over: {modules.cpu_source}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
