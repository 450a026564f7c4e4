"""The command line: a thin layer over the library (grader.api)."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import click
from rich.console import Console

from grader import __version__, api
from grader.course import DEFAULT_COURSE
from grader.errors import GraderError
from grader.grading.reports import print_report, summary_json
from grader.sandbox.bwrap import limits_warning, sandbox_warning


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
@click.option("--assignment", help="Grade only this assignment's exercises (e.g. forward_pass).")
@click.option("--format", "output_format", type=click.Choice(["report", "json", "classroom"]), default="report",
              show_default=True, help="report: the feedback, for people. json: the summary. classroom: GitHub "
              "Classroom's version-3 results.")
@click.option("--json", "as_json", is_flag=True, help="The same as --format json.")
@click.option("--github-output", is_flag=True,
              help="With --format classroom, inside a GitHub Actions step: write the results to the step's output "
                   "(result=<base64>, for Classroom's reporter) and print the report.")
@click.option("--no-sandbox", is_flag=True, help="Run the code without bubblewrap (still in its own process).")
@click.pass_obj
def check(course_file: Path, folder: Path, exercise: str | None, assignment: str | None, output_format: str,
          as_json: bool, github_output: bool, no_sandbox: bool) -> None:
    """Grade one submission FOLDER (default: exercises/) and show the feedback."""
    output_format = "json" if as_json else output_format
    if github_output and output_format != "classroom":
        raise click.UsageError("--github-output goes with --format classroom.")
    for warning in (None if no_sandbox else sandbox_warning(), limits_warning(),
                    _references_warning(course_file, assignment)):
        if warning:
            click.echo(f"warning: {warning}", err=True)
    if output_format == "classroom":
        _check_for_classroom(course_file, folder, exercise, assignment, github_output, no_sandbox)
        return
    result = _run(lambda: api.check(folder, course_file=course_file, exercise=exercise, assignment=assignment,
                                    sandbox=False if no_sandbox else None))
    if output_format == "json":
        click.echo(summary_json(result))
    else:
        print_report(result, Console())


def _references_warning(course_file: Path, assignment: str | None) -> str | None:
    """A course whose public references were recorded for other checks still grades, but asks Keras live (much
    slower, and no shrinking without TensorFlow): say so, with the command that records them."""
    from grader.course import load_course
    from grader.authoring.freshness import reference_problems
    from grader.references.store import DATA

    try:
        course = load_course(course_file)
        problems = reference_problems(course.only_assignment(assignment) if assignment else course, DATA)
    except GraderError:
        return None  # the check itself says what is wrong with the course
    return f"{problems[0]}: until then every check asks Keras live, which is much slower." if problems else None


def _check_for_classroom(course_file: Path, folder: Path, exercise: str | None, assignment: str | None,
                         github_output: bool, no_sandbox: bool) -> None:
    """Classroom's results, whatever happens: a course or submission that cannot be graded is an "error" result
    worth 0 of the visible points (the reporter then shows why), not a step that dies without output."""
    from grader.platforms import classroom

    if github_output and not os.environ.get("GITHUB_OUTPUT"):  # said before the checks run, not after
        raise click.UsageError("--github-output writes the step's output for GitHub Actions, but $GITHUB_OUTPUT is "
                               "not set: this is not a GitHub Actions step. Leave the option out to print the JSON.")
    try:
        result = api.check(folder, course_file=course_file, exercise=exercise, assignment=assignment,
                           sandbox=False if no_sandbox else None)
        payload = classroom.results(result)
    except GraderError as error:
        result, payload = None, classroom.error_results(str(error), _run(
            lambda: api.visible_points(course_file, assignment)))
    if not github_output:
        click.echo(json.dumps(payload, indent=2))
        return
    _run(lambda: classroom.write_github_output(payload))
    if result is not None:
        print_report(result, Console())
    else:
        click.echo(payload["tests"][0]["message"], err=True)


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
@click.option("--assignment", help="Release this assignment only (default: every assignment of the course).")
@click.pass_obj
def release(course_file: Path, out: Path, assignment: str | None) -> None:
    """Write the student handout: stubs, grader, public references, README. Refused, with what to run, if the
    stubs or the references are not current."""
    files = _run(lambda: api.release(out, course_file=course_file, assignment=assignment))
    click.echo(f"wrote {len(files)} files into {out}")


@main.command("build")
@click.option("--nbgrader", "nbgrader_out", type=click.Path(path_type=Path),
              help="Also rebuild this nbgrader course folder (grader nbgrader build --out).")
@click.pass_obj
def build(course_file: Path, nbgrader_out: Path | None) -> None:
    """After a change to solutions/, grader/checks/ or course.yaml (a new exercise, say): regenerate the stubs,
    record the Keras references, rewrite docs/contracts.md, rebuild the grade-time inputs (if the course has a
    secret) and, with --nbgrader, the nbgrader course; then check that nothing is stale."""
    _run(lambda: api.rebuild(course_file=course_file, nbgrader=nbgrader_out, say=click.echo))


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


@export.command("classroom")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The assignment's template repository (e.g. the handout from grader release).")
@click.option("--assignment", help="The assignment it checks (e.g. forward_pass) [default: every exercise].")
@click.pass_obj
def export_classroom(course_file: Path, out: Path, assignment: str | None) -> None:
    """GitHub Classroom's autograding workflow: each check's own points, recorded by Classroom's reporter."""
    path = _run(lambda: api.export_classroom(out, course_file=course_file, assignment=assignment))
    points = _run(lambda: api.visible_points(course_file, assignment))
    click.echo(f"wrote {path}: push it with the template repository. Classroom records up to {points:g} points "
               "(the visible checks, on the public inputs); the grade is grader grade on the collected repositories.")


@export.command("canvas")
@click.option("--grades", type=click.Path(path_type=Path), required=True, help="The --out folder of grader grade.")
@click.option("--roster", type=click.Path(path_type=Path), required=True,
              help="Canvas' gradebook export (Grades, Export): the students, their IDs and sections.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("canvas_grades.csv"), show_default=True,
              help="The CSV to import in Canvas (Grades, Import).")
@click.pass_obj
def export_canvas(course_file: Path, grades: Path, roster: Path, out: Path) -> None:
    """Canvas' gradebook import CSV: the roster's students, one points column per assignment graded."""
    notes = _run(lambda: api.export_canvas(grades, roster, out, course_file=course_file))
    click.echo(f"wrote {out}: import it in Canvas (Grades, Import). Students without a grade have empty cells, "
               "which Canvas leaves as they are.")
    for note in notes:
        click.echo(f"  {note}")


@main.group("import")
def import_() -> None:
    """Turn an LMS download into the class layout, ROOT/<student>/, that grader grade reads."""


def _import_command(platform: str, help_text: str) -> None:
    """``grader import PLATFORM DOWNLOAD --out ROOT``: the same command for each LMS download."""
    @import_.command(platform, help=help_text)
    @click.argument("download", type=click.Path(path_type=Path))
    @click.option("--out", type=click.Path(path_type=Path), required=True, help="A new folder for the class.")
    @click.pass_obj
    def command(course_file: Path, download: Path, out: Path) -> None:
        imported = _run(lambda: api.import_download(platform, download, out, course_file=course_file))
        click.echo(imported.summary())
        click.echo(f"next: grader grade {out} --out grades")


_import_command("canvas", "Canvas' submissions zip (Download Submissions): files <name>_<id>_<submission>_<file>, "
                          "into OUT/<name>_<id>/.")
_import_command("gradescope", "Gradescope's Export Submissions zip: each submitter's files into OUT/<student ID>/.")


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
    """Write nbgrader_config.py and source/<assignment>/<assignment>.ipynb, generated from the course, and pass
    the due dates on to its gradebook.db. Nothing is written if nbgrader would refuse the change."""
    built = _run(lambda: api.build_nbgrader_course(out, course_file=course_file))
    for note in built.notes:
        click.echo(note)
    activate = Path(sys.prefix) / "bin" / "activate"  # nbgrader is installed beside the kit
    steps = [f". {shlex.quote(str(activate))}"] if sys.prefix != sys.base_prefix and activate.exists() else []
    first, *later = [path.parent.name for path in built.files if path.suffix == ".ipynb"]
    steps += [f"cd {shlex.quote(str(out.resolve()))}", f"nbgrader generate_assignment {first}"]
    click.echo(f"wrote {len(built.files)} files into {out}; next: {' && '.join(steps)}")
    if later:
        click.echo(f"(the other assignments, when their time comes: {', '.join(later)})")


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
