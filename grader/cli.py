"""The command line: a thin layer over the library (grader.api)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from grader import __version__, api
from grader.course import DEFAULT_COURSE
from grader.errors import GraderError
from grader.reports import print_report, summary_json
from grader.sandbox.bwrap import bwrap_path


def _run(action):
    try:
        return action()
    except GraderError as error:
        raise click.ClickException(str(error)) from None


@click.group()
@click.version_option(__version__, prog_name="grader")
@click.option("--course", "course_file", type=click.Path(path_type=Path), default=DEFAULT_COURSE, show_default=True,
              help="The course file: assignments, exercises, points and limits.")
@click.pass_context
def main(ctx: click.Context, course_file: Path) -> None:
    """Grade NumPy neural-network exercises against real Keras on real MNIST."""
    ctx.obj = course_file


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), default=Path("exercises"))
@click.option("--exercise", help="Grade only this exercise (e.g. softmax).")
@click.option("--json", "as_json", is_flag=True, help="Print only the JSON summary on stdout.")
@click.option("--no-sandbox", is_flag=True, help="Run the code without bubblewrap (still in its own process).")
@click.pass_obj
def check(course_file: Path, folder: Path, exercise: str | None, as_json: bool, no_sandbox: bool) -> None:
    """Grade one submission FOLDER (default: exercises/) and show the feedback."""
    if not no_sandbox and bwrap_path() is None:
        click.echo("warning: bubblewrap (bwrap) is not installed, so your code runs in a plain process, not sandboxed.",
                   err=True)
    result = _run(lambda: api.check(folder, course_file=course_file, exercise=exercise,
                                    sandbox=False if no_sandbox else None))
    if as_json:
        click.echo(summary_json(result))
    else:
        print_report(result, Console())


@main.command()
@click.argument("root", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for grades.csv, summary.json and results.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Submissions graded at once [default: CPU count].")
@click.option("--no-sandbox", is_flag=True, help="Grade without bubblewrap: only for code you trust.")
@click.option("--assignment", help="Grade only this assignment's exercises (e.g. forward_pass) [default: all].")
@click.option("--scheduler", metavar="ADDRESS",
              help="Grade on a Dask cluster: the scheduler's address, e.g. tcp://10.0.0.5:8786 [default: this machine].")
@click.option("--secret", type=click.Path(path_type=Path),
              help="The course secret's folder [default: grading.secret_folder of course.yaml].")
@click.pass_obj
def grade(course_file: Path, root: Path, out: Path, jobs: int | None, no_sandbox: bool, assignment: str | None,
          scheduler: str | None, secret: Path | None) -> None:
    """Grade every student subfolder (or notebook) of ROOT; write a gradebook into --out.

    The grade is earned on the course secret's grade-time inputs (grader secret init makes them).
    Grading again into the same --out skips the submissions that are unchanged since they were graded.
    """
    try:
        run = _run(lambda: api.grade(root, out, course_file=course_file, jobs=jobs, sandbox=not no_sandbox,
                                     scheduler=scheduler, assignment=assignment, secret=secret))
    except KeyboardInterrupt:
        click.echo(f"stopped: {out} holds the gradebook of what was graded so far; run the same command again "
                   "to grade the rest (finished submissions are skipped).", err=True)
        sys.exit(130)
    click.echo(run.closing_line(out))


@main.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="A new folder for the handout.")
@click.pass_obj
def release(course_file: Path, out: Path) -> None:
    """Write the student handout: stubs, grader, public references, README."""
    files = _run(lambda: api.release(out, course_file=course_file))
    click.echo(f"wrote {len(files)} files into {out}")


@main.group()
def references() -> None:
    """The reference fixtures built with Keras."""


@references.command("build")
@click.option("--mnist", help="An mnist.npz or IDX folder to train on (default: Keras cache, $GRADER_MNIST, bundled sample).")
@click.option("--no-keras-cache", is_flag=True, help="Ignore ~/.keras/datasets/mnist.npz.")
@click.pass_obj
def references_build(course_file: Path, mnist: str | None, no_keras_cache: bool) -> None:
    """Train the reference model and record Keras' outputs (takes ~15 s)."""
    manifest = _run(lambda: api.build_references(course_file=course_file, mnist=mnist, use_keras_cache=not no_keras_cache))
    click.echo(f"built references from {manifest['mnist']}: {manifest['recorded_oracle_results']} Keras results recorded")


@main.group()
def export() -> None:
    """Hand the course to where classes are graded."""


@export.command("gradescope")
@click.option("--out", type=click.Path(path_type=Path), default=Path("autograder.zip"), show_default=True,
              help="The zip to upload as the assignment's autograder.")
@click.option("--assignment", help="The assignment it grades (e.g. forward_pass) [default: the whole course].")
@click.option("--secret", "secret_folder", type=click.Path(path_type=Path),
              help="The course secret's folder [default: grading.secret_folder of course.yaml].")
@click.pass_obj
def export_gradescope(course_file: Path, out: Path, assignment: str | None, secret_folder: Path | None) -> None:
    """Gradescope's autograder zip: setup.sh, run_autograder, the kit and the course secret."""
    path = _run(lambda: api.export_gradescope(out, course_file=course_file, assignment=assignment,
                                              secret=secret_folder))
    click.echo(f"wrote {path}: upload it in Gradescope (Configure Autograder, zip file). It holds the course secret, "
               "so keep it as private as the secret itself.")


@main.group()
def secret() -> None:
    """The course secret: the key of the grade-time inputs, which only the instructor holds."""


@secret.command("init")
@click.option("--folder", type=click.Path(path_type=Path),
              help="Where to keep the secret [default: grading.secret_folder of course.yaml, next to it].")
@click.option("--new-key", is_flag=True, help="Make a new key even if there is one (every grade changes).")
@click.option("--rebuild", is_flag=True, help="Build the grade-time inputs again even if they are current.")
@click.option("--mnist", help="An mnist.npz or IDX folder (default: Keras cache, $GRADER_MNIST, bundled sample).")
@click.option("--no-keras-cache", is_flag=True, help="Ignore ~/.keras/datasets/mnist.npz.")
@click.pass_obj
def secret_init(course_file: Path, folder: Path | None, new_key: bool, rebuild: bool, mnist: str | None,
                no_keras_cache: bool) -> None:
    """Make the key (once) and the grade-time inputs from it, with Keras (~30 s); kept while they are current."""
    where, manifest = _run(lambda: api.init_secret(course_file=course_file, folder=folder, new_key=new_key,
                                                   rebuild=rebuild, mnist=mnist, use_keras_cache=not no_keras_cache))
    state = "are current: kept" if manifest.get("kept") else "built"
    click.echo(f"grade-time inputs in {where} (key {manifest['key_id']}) {state}; "
               f"{manifest['recorded_oracle_results']} Keras results recorded. "
               "Keep that folder private: never commit it, never hand it out.")


@main.group("nbgrader")
def nbgrader_group() -> None:
    """The same exercises as an nbgrader course."""


@nbgrader_group.command("build")
@click.option("--out", type=click.Path(path_type=Path), default=Path("nbgrader_course"), show_default=True,
              help="The nbgrader course folder to write.")
@click.pass_obj
def nbgrader_build(course_file: Path, out: Path) -> None:
    """Write nbgrader_config.py and source/<assignment>/<assignment>.ipynb, generated from the course."""
    files = _run(lambda: api.build_nbgrader_course(out, course_file=course_file))
    click.echo(f"wrote {len(files)} files into {out}; next: cd {out} && nbgrader generate_assignment <assignment>")


@main.command()
@click.option("--check", "only_check", is_flag=True, help="Only report stubs that differ from the solutions; exit 1 if any.")
@click.pass_obj
def stubs(course_file: Path, only_check: bool) -> None:
    """Write exercises/ from solutions/ (the stubs are generated, never edited by hand)."""
    if only_check:
        stale = _run(lambda: api.stale_stubs(course_file=course_file))
        if stale:
            click.echo(f"stubs out of date: {', '.join(stale)}; run: grader stubs", err=True)
            sys.exit(1)
        click.echo("stubs match the solutions")
        return
    written = _run(lambda: api.write_stubs(course_file=course_file))
    click.echo(f"wrote {', '.join(str(p) for p in written)}")
