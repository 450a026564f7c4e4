"""Grading one submission: each exercise's checks, run against the student's code in its own worker."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from grader.checks.base import Context
from grader.course import PROJECT_ROOT, AssignmentConfig, Course, ExerciseConfig
from grader.errors import GraderError, SubmissionError
from grader.grading.forbidden import forbidden_imports
from grader.oracle.recorded import Oracle
from grader.references.store import DATA, References, has_hidden, load_references
from grader.references.secret import load_secret
from grader.grading.replay import Recording
from grader.grading.results import SubmissionResult
from grader.sandbox.bwrap import BROKEN, bwrap_path, bwrap_works
from grader.sandbox.limits import Limits
from grader.grading.snapshot import Snapshot, take, written
from grader.grading.strategies import grading_settings
from grader.grading.student_process import StudentProcess, WorkerSettings


def worker_settings(course: Course, sandbox: bool, secret: Path | None = None,
                    worker_user: tuple[int, int] | None = None) -> WorkerSettings:
    """The course's limits, as the worker gets them; the instructor's folders hidden from it."""
    limits = course.limits
    return WorkerSettings(
        sandbox=sandbox,
        limits=Limits(limits.cpu_seconds, limits.memory_mb * 2**20, limits.max_processes, limits.max_file_mb * 2**20),
        call_timeout=limits.call_timeout_seconds,
        output_bytes=limits.output_kb * 1024,
        forbidden_modules=tuple(course.grading.forbidden_modules),
        exercise_seconds=limits.exercise_seconds,
        submission_seconds=limits.submission_seconds,
        tmp_files=limits.tmp_files,
        private_folders=(PROJECT_ROOT, Path(__file__).parents[1], *((secret,) if secret else ())),
        worker_user=worker_user,
    )


def user_ids(name: str) -> tuple[int, int]:
    """(uid, gid) of the user ``name``, or a GraderError saying it does not exist."""
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise GraderError(f"There is no user {name!r} to run the student's code as.") from None
    return entry.pw_uid, entry.pw_gid


NATIVE_WINDOWS = ("The grader runs your code in a worker process that needs POSIX process control, which native "
                  "Windows lacks. Use WSL: in PowerShell, wsl --install -d Ubuntu; then set up and run grader check "
                  "inside Ubuntu, as the README's Linux recipe says.")


def resolve_sandbox(sandbox: bool | None) -> bool:
    """None means: sandbox if bubblewrap is installed and works here. True where it does not is an error, said
    once, before any student is graded (a sandbox that cannot start would fail every call)."""
    if sandbox is False:
        return False
    if bwrap_path() is None:
        if sandbox:
            raise GraderError("bubblewrap (bwrap) is not installed, so student code cannot be sandboxed. "
                              "Install it (apt-get install bubblewrap) or grade without it using --no-sandbox.")
        return False
    if not bwrap_works():
        if sandbox:
            raise GraderError(f"{BROKEN} Allow them (on Ubuntu: sudo sysctl kernel.apparmor_restrict_unprivileged_"
                              "userns=0), or grade without the sandbox using --no-sandbox, only for code you trust.")
        return False
    return True


def grade_submission(
    submission: str | Path | Snapshot,
    course: Course,
    *,
    exercise: str | Iterable[str] | None = None,
    sandbox: bool | None = None,
    references: References | None = None,
    oracle: Oracle | None = None,
    recording: Recording | None = None,
    secret: Path | None = None,
    worker_user: str | None = None,
) -> SubmissionResult:
    """Grade a submission (all exercises, or those named) in one worker of its own.

    ``submission`` is a folder that holds the exercise modules, or a notebook whose answer cells
    define the functions; or a notebook file itself; or a snapshot of either. It is graded from a
    private copy of its snapshot (grader.grading.snapshot: no links followed, debris left out). The exercises run one after the other in the same
    worker (a fresh one after a call that loses it: a timeout, a crash), each with its own CPU
    budget, its own record of forbidden imports and its own output. pytest runs the checks
    (grader.grading.session), each a test of the exercise's collector (grader.grading.check_nodes).

    The inputs are the public ones, or with ``secret`` (the course's secret folder) the grade-time
    ones (grader.references.secret); ``references``, ``oracle`` and ``recording`` override them. With ``worker_user`` (the
    grader running as root), the student's code runs as that user, on a private copy it owns.
    """
    with prepared(submission, course, exercise=exercise, sandbox=sandbox, references=references, oracle=oracle,
                  recording=recording, secret=secret, worker_user=worker_user) as run:
        from grader.grading.session import run_checks  # imported (pytest, the first time) while the worker starts

        results = run_checks(run)
    return SubmissionResult(run.snapshot.name, results, run.snapshot.ignored)


@dataclass
class SubmissionRun:
    """A submission ready to grade: its private copy, its worker, and each exercise's checks' context."""

    snapshot: Snapshot
    exercises: list[ExerciseConfig]
    hidden: list[ExerciseConfig]
    """The exercises with hidden checks to run here (with the hidden references): after every visible check."""
    student: StudentProcess
    contexts: dict[str, Context]
    forbidden: dict[str, list[str]]
    """Each exercise's imports of forbidden modules, where they are."""


@contextmanager
def prepared(
    submission: str | Path | Snapshot,
    course: Course,
    *,
    exercise: str | Iterable[str] | None = None,
    sandbox: bool | None = None,
    references: References | None = None,
    oracle: Oracle | None = None,
    recording: Recording | None = None,
    secret: Path | None = None,
    worker_user: str | None = None,
) -> Iterator[SubmissionRun]:
    """The submission's private copy and worker, for as long as the ``with`` lasts (see ``grade_submission``)."""
    owner = user_ids(worker_user) if worker_user else None
    if os.name == "nt":
        raise GraderError(NATIVE_WINDOWS)
    settings = worker_settings(course, resolve_sandbox(sandbox), secret, owner)
    hypothesis_settings = grading_settings(course.grading.max_examples)
    snapshot = submission if isinstance(submission, Snapshot) else take(Path(submission))
    with ExitStack() as stack:
        copy = stack.enter_context(written(snapshot, owner))
        folder, notebook = _modules_folder(copy, course, stack)
        exercises = course.exercises(exercise)
        if notebook is not None:  # the course decides what a notebook is graded on, never its cells
            graded = {e.name for e in notebook_assignment(course, notebook).exercises}
            exercises = [e for e in exercises if e.name in graded]
        # The worker starts first: the grading inputs are read (once a process) while it starts. Its CPU budget
        # counts the hidden passes, known here from the references' folder; the passes run are the loaded ones'.
        with_hidden_checks = [e for e in exercises if any(check.hidden for check in e.checks.values())]
        expect_hidden = references.hidden is not None if references is not None else has_hidden(secret or DATA)
        passes = len(exercises) + (len(with_hidden_checks) if expect_hidden else 0)
        student = stack.enter_context(StudentProcess(folder, settings, exercises=passes))
        if references is None or oracle is None or recording is None:
            shared = grading_inputs(secret)
            references, oracle, recording = references or shared[0], oracle or shared[1], recording or shared[2]
        hidden = with_hidden_checks if references.hidden is not None else []
        contexts = {e.name: Context(student, e.module, e.function, oracle, references, hypothesis_settings, recording)
                    for e in exercises}
        forbidden = {e.name: forbidden_imports(folder, e.module, settings.forbidden_modules) for e in exercises}
        yield SubmissionRun(snapshot, exercises, hidden, student, contexts, forbidden)


@lru_cache(maxsize=4)
def grading_inputs(secret: Path | None = None) -> tuple[References, Oracle, Recording]:
    """The references, recorded Keras results and recorded inputs: public, or the secret folder's.

    Read once per process and folder (grading never changes them).
    """
    folder = secret or DATA
    references = load_secret(secret) if secret else load_references()
    return references, Oracle.from_file(folder / "oracle.npz"), Recording.load(folder / "examples.npz")


def graded_course(submission: Path | Snapshot, course: Course) -> Course:
    """The course a submission is graded on: the assignment of its one notebook, or the whole course.

    For a submission that cannot be graded at all, so that its row carries the right maximum.
    """
    try:
        if isinstance(submission, Snapshot):
            names = [name for name, _ in submission.files]
        elif Path(submission).is_dir():
            names = [str(p.relative_to(submission)) for p in Path(submission).glob("*")] + \
                    [str(p.relative_to(submission)) for p in Path(submission).glob("*/*.ipynb")]
        else:
            names = [Path(submission).name]
        if any(Path(name).name in {f"{e.module}.py" for e in course.exercises()} for name in names):
            return course
        notebooks = [Path(name).name for name in names if name.endswith(".ipynb") and not Path(name).name.startswith(".")]
        if len(notebooks) == 1:
            return course.only_assignment(notebook_assignment(course, notebooks[0]).id)
    except (GraderError, OSError):
        pass
    return course


def notebook_assignment(course: Course, notebook: str) -> AssignmentConfig:
    """The assignment a notebook is graded on: the course's only one, or the one it is named after."""
    if len(course.assignments) == 1:
        return course.assignments[0]
    by_id = {assignment.id: assignment for assignment in course.assignments}
    if Path(notebook).stem in by_id:
        return by_id[Path(notebook).stem]
    names = ", ".join(f"{name}.ipynb" for name in by_id)
    raise SubmissionError(f"It is not clear which assignment the notebook {notebook} is for: name it after its "
                          f"assignment ({names}), or grade one assignment with --assignment NAME.")


def _modules_folder(path: Path, course: Course, stack: ExitStack) -> tuple[Path, str | None]:
    """The folder of modules to grade, and for a notebook its file name.

    The layouts students hand in: the modules at the top, in the handout's ``exercises/`` folder, or
    in the one folder that holds them (a zip's own folder); else one notebook at the top or one
    folder down (editor and OS debris is already left out by the snapshot). A notebook is written
    out as modules first; it is graded on the exercises of its assignment.
    """
    if path.is_dir():
        modules = [f"{exercise.module}.py" for exercise in course.exercises()]
        folder = _folder_with_modules(path, modules)
        if folder is not None:
            return folder, None
        notebook = _the_notebook(path, course)
        if notebook is None:
            return path, None  # neither: each exercise says which file is missing
    else:
        notebook = path
    try:
        from grader.jupyter.submission import notebook_to_folder  # nbformat's import takes seconds: only for notebooks
    except ImportError as error:
        raise GraderError(f"Grading a notebook needs Jupyter's packages, which this install lacks ({error.name}): "
                          "pip install -e '.[notebook]' adds them.") from None

    scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grader-notebook-")))
    return notebook_to_folder(notebook, scratch / "notebook", course), notebook.name


def _folder_with_modules(path: Path, modules: list[str]) -> Path | None:
    def holds(folder: Path) -> bool:
        return any((folder / module).is_file() for module in modules)

    for candidate in (path, path / "exercises"):
        if holds(candidate):
            return candidate
    inner = [folder for child in sorted(path.iterdir()) if child.is_dir()
             for folder in (child, child / "exercises") if holds(folder)]
    return inner[0] if len(inner) == 1 else None


def _the_notebook(path: Path, course: Course) -> Path | None:
    notebooks = sorted(path.glob("*.ipynb")) or sorted(path.glob("*/*.ipynb"))
    if len(notebooks) > 1:  # several: the one named after an assignment, if just one is
        named = [n for n in notebooks if n.stem in {a.id for a in course.assignments}]
        if len(named) != 1:
            raise SubmissionError(f"The submission holds several notebooks ({', '.join(n.name for n in notebooks)}); "
                                  "hand in one, named after its assignment.")
        notebooks = named
    return notebooks[0] if notebooks else None
