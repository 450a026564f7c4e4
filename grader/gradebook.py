"""Grading a whole class: every subfolder of ROOT is one student's submission."""

from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from grader.course import Course
from grader.errors import SubmissionError
from grader.grading import grade_submission
from grader.reports import gradebook_csv, gradescope_results
from grader.results import CheckResult, ExerciseResult, SubmissionResult


def find_submissions(root: Path) -> list[Path]:
    """The submissions in ``root``, sorted by name: each student's folder, or notebook (hidden names skipped)."""
    if not root.is_dir():
        raise SubmissionError(f"{root} is not a folder: give the folder that holds one subfolder per student.")
    found = sorted(p for p in root.iterdir()
                   if (p.is_dir() or p.suffix == ".ipynb") and not p.name.startswith((".", "_")))
    if not found:
        raise SubmissionError(f"{root} has no submissions: put each in ROOT/<student>/ or as ROOT/<student>.ipynb.")
    return found


def grade_class(root: Path, out: Path, course: Course, jobs: int | None = None, sandbox: bool = True,
                console: Console | None = None) -> list[SubmissionResult]:
    """Grade every submission under ``root``; write grades.csv, summary.json and <student>/results.json in ``out``."""
    folders = find_submissions(root)
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(folders)))
    results: dict[str, SubmissionResult] = {}
    progress = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=console or Console(stderr=True))
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool, progress:
        task = progress.add_task("grading", total=len(folders))
        futures = {pool.submit(_grade_one, folder, course, sandbox): folder for folder in folders}
        for future in as_completed(futures):
            result = future.result()
            results[result.submission] = result
            _write_student(out, result)
            progress.advance(task)
    ordered = [results[folder.stem if folder.suffix == ".ipynb" else folder.name] for folder in folders]
    (out / "summary.json").write_text(json.dumps([r.summary() for r in ordered], indent=2) + "\n")
    (out / "grades.csv").write_text(gradebook_csv(ordered, [e.name for e in course.exercises()]))
    return ordered


def _grade_one(folder: Path, course: Course, sandbox: bool) -> SubmissionResult:
    try:
        return grade_submission(folder, course, sandbox=sandbox)
    except Exception as error:  # noqa: BLE001 - one broken submission never stops the class
        message = f"This submission could not be graded ({type(error).__name__}: {error})."
        return SubmissionResult(folder.name, tuple(
            ExerciseResult(e.name, "error", tuple(CheckResult(n, n, c.points, False, message, ran=False)
                                                  for n, c in e.checks.items()),
                           message)
            for e in course.exercises()
        ))


def _write_student(out: Path, result: SubmissionResult) -> None:
    folder = out / result.submission
    folder.mkdir(exist_ok=True)
    (folder / "results.json").write_text(json.dumps(gradescope_results(result), indent=2) + "\n")
