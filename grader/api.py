"""The public library API; the command line only calls these, with these defaults."""

from __future__ import annotations

from pathlib import Path

from grader.course import DEFAULT_COURSE, PROJECT_ROOT, Course, load_course
from grader.grading.results import SubmissionResult

__all__ = ["check", "grade", "release", "build_references", "init_secret", "write_stubs", "stale_stubs",
           "build_nbgrader_course"]


def check(folder: str | Path = "exercises", *, course_file: Path = DEFAULT_COURSE,
          exercise: str | None = None, sandbox: bool | None = None, assignment: str | None = None) -> SubmissionResult:
    """Grade one submission folder (only ``assignment``'s exercises, if given); sandboxed where bubblewrap is
    installed, unless ``sandbox`` says otherwise."""
    from grader.grading.submission import grade_submission

    return grade_submission(Path(folder), _course(course_file, assignment), exercise=exercise, sandbox=sandbox)


def visible_points(course_file: Path = DEFAULT_COURSE, assignment: str | None = None) -> float:
    """The points ``grader check`` can award: every check of the course (or ``assignment``) but the hidden ones."""
    return sum(check.points for exercise in _course(course_file, assignment).exercises()
               for check in exercise.checks.values() if not check.hidden)


def _course(course_file: Path, assignment: str | None) -> Course:
    """The course, or just ``assignment`` of it."""
    course = load_course(course_file)
    return course.only_assignment(assignment) if assignment else course


def export_classroom(out: str | Path, *, course_file: Path = DEFAULT_COURSE, assignment: str | None = None) -> Path:
    """Write GitHub Classroom's autograding workflow into ``out`` (the handout or template repository)."""
    from grader.platforms.classroom import write_workflow

    return write_workflow(Path(out), load_course(course_file), assignment)


def grade(root: str | Path, out: str | Path, *, course_file: Path = DEFAULT_COURSE,
          jobs: int | None = None, sandbox: bool = True, scheduler: str | None = None,
          assignment: str | None = None, secret: str | Path | None = None):
    """Grade a class: every subfolder of ``root``; the gradebook goes to ``out``. Sandboxed unless told not to.

    Graded on the course secret's grade-time inputs (``secret``, default: the course's secret
    folder; see grader.references.secret), never on the public ones. Submissions already graded into ``out``
    and unchanged are skipped. With ``assignment``, only that assignment's exercises are graded
    (and are the gradebook's columns). With ``scheduler`` (a Dask scheduler's address) the grading
    runs on that cluster's workers. Returns a grader.classrun.gradebook.ClassRun.
    """
    from grader.classrun.gradebook import grade_class
    from grader.grading.submission import resolve_sandbox

    if scheduler:  # the workers sandbox; this machine only needs bubblewrap when it grades itself
        sandbox = bool(sandbox)
    else:
        sandbox = resolve_sandbox(sandbox)
    from grader.classrun.roster import class_roster

    class_roster(Path(root))  # a wrong ROOT is said first
    course = load_course(course_file)
    folder = ready_secret(course, course_file, secret)
    if assignment:
        course = course.only_assignment(assignment)
    return grade_class(Path(root), Path(out), course, jobs, sandbox, scheduler=scheduler, secret=folder)


def ready_secret(course, course_file: Path, secret: str | Path | None = None) -> Path:
    """The secret folder to grade with (given, or the course's), or a GraderError saying how to make it."""
    from grader.errors import GraderError
    from grader.references.secret import folder_for, problem_with

    folder = Path(secret).resolve() if secret else folder_for(course, course_file)
    problem = problem_with(folder, course)
    if problem:
        raise GraderError(problem)
    return folder


def init_secret(*, course_file: Path = DEFAULT_COURSE, folder: str | Path | None = None, new_key: bool = False,
                rebuild: bool = False, mnist: str | None = None, use_keras_cache: bool = True) -> tuple[Path, dict]:
    """Make the course secret (kept if there is one) and its grade-time inputs (kept if current); return the folder
    and their manifest."""
    from grader.references.secret import folder_for, init_secret as init

    course = load_course(course_file)
    folder = Path(folder).resolve() if folder else folder_for(course, course_file)
    return folder, init(course, folder, new_key=new_key, rebuild=rebuild, mnist=mnist, use_keras_cache=use_keras_cache)


def release(out: str | Path, *, course_file: Path = DEFAULT_COURSE, assignment: str | None = None) -> list[Path]:
    """Write the student handout of the course, or of one ``assignment``, into ``out``."""
    from grader.authoring.release import release as write_handout

    return write_handout(Path(out), load_course(course_file), Path(course_file), assignment)


def export_gradescope(out: str | Path = "autograder.zip", *, course_file: Path = DEFAULT_COURSE,
                      assignment: str | None = None, secret: str | Path | None = None) -> Path:
    """Write Gradescope's autograder zip for ``assignment`` (or the whole course), the course secret inside."""
    from grader.platforms.gradescope import build_autograder

    course = load_course(course_file)
    return build_autograder(course, Path(course_file), ready_secret(course, course_file, secret), Path(out), assignment)


def build_references(*, course_file: Path = DEFAULT_COURSE, mnist: str | None = None,
                     use_keras_cache: bool = True) -> dict:
    """Train the reference model with Keras and record its outputs; returns the manifest."""
    from grader.references.build import build_references as build

    return build(load_course(course_file), mnist=mnist, use_keras_cache=use_keras_cache)


def rebuild(*, course_file: Path = DEFAULT_COURSE, nbgrader: str | Path | None = None, say=print) -> None:
    """Regenerate everything made from the sources (solutions/, grader/checks/, course.yaml), in order, saying each
    step: the stubs, the public Keras references, docs/contracts.md, the course secret's grade-time inputs (when the
    course has a secret; the key is kept) and, given ``nbgrader``, that nbgrader course folder. Ends with a
    GraderError if anything is still stale (grader.authoring.freshness)."""
    from grader.authoring.contracts import markdown
    from grader.errors import GraderError
    from grader.authoring.freshness import course_problems
    from grader.references.secret import KEY_FILE, folder_for

    course = load_course(course_file)
    say(f"stubs: wrote {', '.join(path.name for path in write_stubs(course_file=course_file))}")
    say("references: training the model and recording Keras' answers (about a minute)...")
    manifest = build_references(course_file=course_file)
    say(f"references: {manifest['recorded_oracle_results']} Keras results recorded")
    contracts = PROJECT_ROOT / "docs" / "contracts.md"
    if contracts.parent.is_dir():
        contracts.write_text(markdown(course))
        say(f"contracts: wrote {contracts}")
    secret = folder_for(course, course_file)
    if (secret / KEY_FILE).is_file():
        say(f"secret: rebuilding the grade-time inputs in {secret} (the key is kept)...")
        init_secret(course_file=course_file)
        say("secret: current")
    else:
        say(f"secret: none yet in {secret}; make it with: grader secret init")
    if nbgrader is not None:
        built = build_nbgrader_course(nbgrader, course_file=course_file)
        for note in built.notes:
            say(f"nbgrader: {note}")
        say(f"nbgrader: wrote {len(built.files)} files into {nbgrader}")
    problems = course_problems(course)
    if problems:
        raise GraderError("Still stale after the rebuild:\n  - " + "\n  - ".join(problems))
    say("everything made from the sources is current")


def _modules(course_file: Path) -> list[str]:
    return list(dict.fromkeys(exercise.module for exercise in load_course(course_file).exercises()))


def write_stubs(*, course_file: Path = DEFAULT_COURSE) -> list[Path]:
    """Generate exercises/ from solutions/."""
    from grader.authoring.stubs import write_stubs as write

    return write(PROJECT_ROOT / "solutions", PROJECT_ROOT / "exercises", _modules(course_file))


def stale_stubs(*, course_file: Path = DEFAULT_COURSE) -> list[str]:
    """Exercises whose stub differs from what the solution generates."""
    from grader.authoring.stubs import stale_stubs as stale

    return stale(PROJECT_ROOT / "solutions", PROJECT_ROOT / "exercises", _modules(course_file))


def build_nbgrader_course(out: str | Path = "nbgrader_course", *, course_file: Path = DEFAULT_COURSE):
    """Write an nbgrader course folder (config and source notebooks) generated from the course, and pass the due
    dates on to its gradebook; returns a grader.jupyter.course_folder.CourseFolder (files written, notes)."""
    from grader.jupyter.course_folder import build_course_folder

    return build_course_folder(load_course(course_file), Path(course_file), Path(out))


def import_download(platform: str, download: str | Path, out: str | Path, *, course_file: Path = DEFAULT_COURSE):
    """Write an LMS download (Canvas' submissions zip, Gradescope's export) into the class layout ``out``/<student>/;
    returns a grader.platforms.unpack.Imported."""
    if platform == "canvas":
        from grader.platforms import canvas

        return canvas.import_submissions(Path(download), Path(out), load_course(course_file))
    from grader.platforms import gradescope_submissions

    return gradescope_submissions.import_submissions(Path(download), Path(out))


def export_canvas(grades: str | Path, roster: str | Path, out: str | Path, *,
                  course_file: Path = DEFAULT_COURSE) -> list[str]:
    """Write Canvas' gradebook import CSV for a class run's ``grades`` folder and a Canvas ``roster``; return the
    sentences about students left out."""
    from grader.platforms import canvas

    text, notes = canvas.gradebook(Path(grades), Path(roster), load_course(course_file))
    Path(out).write_text(text, encoding="utf-8")
    return notes
