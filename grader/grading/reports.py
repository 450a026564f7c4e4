"""Renderings of results: the terminal report, the JSON summary, Gradescope's results.json, the CSV gradebook."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from grader.grading.feedback import feedback_blocks, grouped_with
from grader.grading.results import STATUSES, ExerciseResult, SubmissionResult

STATUS_STYLE = {"passed": "green", "failed": "yellow", "not_attempted": "dim", "error": "red", "timeout": "red",
                "crashed": "red", "memory": "red", "forbidden": "red"}


def _points(value: float) -> str:
    return f"{value:g}"


def print_report(result: SubmissionResult, console: Console) -> None:
    """The human report of ``grader check``: a table of exercises, then feedback for each failed check."""
    table = Table(title=f"{result.submission}: {_points(result.score)} / {_points(result.max_score)} points")
    for column in ("exercise", "check", "points", "result"):
        table.add_column(column)
    for exercise in result.exercises:
        style = STATUS_STYLE[exercise.status]
        whole = exercise.status == "passed" and exercise.score == exercise.max_score  # no need to list its checks
        every = "its one check" if len(exercise.checks) == 1 else f"all {len(exercise.checks)} checks"
        table.add_row(exercise.name, every if whole and exercise.checks else "",
                      f"{_points(exercise.score)} / {_points(exercise.max_score)}",
                      f"[{style}]{exercise.status}[/]", end_section=whole or not exercise.checks)
        for index, check in enumerate(() if whole else exercise.checks):
            mark = "[green]passed[/]" if check.passed else ("[red]failed[/]" if check.ran else "[dim]not run[/]")
            table.add_row("", check.name + (" (hidden)" if check.hidden else ""),
                          f"{_points(check.score)} / {_points(check.max_score)}", mark,
                          end_section=index == len(exercise.checks) - 1)
    console.print(table)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    for exercise in result.exercises:
        if exercise.output.strip():
            console.print(Panel(exercise.output, title=f"what your code printed ({exercise.name})", border_style="dim"),
                          markup=False)
        if exercise.message:
            console.print(Panel(exercise.message, title=f"{exercise.name}: {exercise.status}", border_style="red"),
                          markup=False)
            continue
        print_feedback(exercise, console)
        for note in exercise.notes:
            console.print(f"[dim]note ({exercise.name}): {note}[/]")
        if exercise.hidden_points:
            more = "1 more point comes" if exercise.hidden_points == 1 else \
                f"{_points(exercise.hidden_points)} more points come"
            console.print(f"[dim]{exercise.name}: {more} from hidden checks that your instructor runs.[/]")


def print_feedback(exercise: ExerciseResult, console: Console) -> None:
    """An exercise's failed checks: one panel per mistake, however many checks it fails (grader.grading.feedback)."""
    for block in feedback_blocks(exercise):
        console.print(Panel(block.text, title=block.title, border_style="yellow", expand=False), markup=False)


def summary_json(result: SubmissionResult) -> str:
    return json.dumps(result.summary(), indent=2)


def gradescope_results(result: SubmissionResult) -> dict:
    """Gradescope's autograder results.json for one submission."""
    tests = []
    for exercise in result.exercises:
        grouped = grouped_with(exercise)
        for check in exercise.checks:
            output = check.feedback or check.title
            if check.name in grouped:  # the same mistake as an earlier check: its input and values are shown there
                output = f"Failed with the same hint as '{exercise.name}: {grouped[check.name]}' (see there).\nHint: {check.hint}"
            tests.append({
                "name": f"{exercise.name}: {check.name}",
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.passed else "failed",
                "output": output,
                "visibility": "after_published" if check.hidden else "visible",
            })
    lines = [f"{e.name}: {e.status} ({_points(e.score)}/{_points(e.max_score)}). {e.message or STATUSES[e.status]}"
             for e in result.exercises]
    return {"score": result.score, "output": "\n".join(lines), "tests": tests}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe.

    OWASP's rule against CSV injection (https://owasp.org/www-community/attacks/CSV_Injection): a student
    folder named ``=HYPERLINK(...)`` must not run when the instructor opens grades.csv.
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def gradebook_csv(results: list[SubmissionResult], exercises: list[str]) -> str:
    """One row per student: a score column and a status column per exercise, then the total.

    An exercise a submission was not graded on (a notebook of another assignment) has empty cells.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", *exercises, *(f"{name}_status" for name in exercises), "total", "max_score"])
    for result in results:
        by_name = {exercise.name: exercise for exercise in result.exercises}
        writer.writerow([
            spreadsheet_safe(result.submission),
            *(_points(by_name[name].score) if name in by_name else "" for name in exercises),
            *(by_name[name].status if name in by_name else "" for name in exercises),
            _points(result.score),
            _points(result.max_score),
        ])
    return buffer.getvalue()
