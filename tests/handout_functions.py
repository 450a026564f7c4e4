"""Every function of the handout's grader package, tried as the answer to every exercise it could be called as.

Run as a script (by tests/test_no_grade_without_the_work.py) in a process of its own where, as in
the sandbox, the libraries the exercises forbid cannot be imported: a module of the package that
needs one cannot be copied into a submission either. Each candidate is graded on the course
secret's grade-time inputs, called in this process (a stand-in for the sandboxed worker, which
would only add the walls), with Hypothesis' shrinking off: only whether a check passes matters.
Prints a JSON report: the pairs tried, the modules skipped, and every check a candidate passed.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import pkgutil
import signal
import sys
import tempfile
import warnings
from pathlib import Path

FORBIDDEN = ("tensorflow", "keras", "torch", "jax", "sklearn", "scipy")
ENDS_ITS_PROCESS = {"grader.classrun.lifetime.die_with_parent", "grader.classrun.executors._grading_process",
                    "grader.oracle.service._serve"}
"""Called here, these would end this stand-in process (by design: a process whose parent is gone exits); in the
sandboxed worker they would only end the worker, a crash, which earns nothing."""
CALL_SECONDS = 2


class _Refuse:
    def find_spec(self, name, path=None, target=None):
        if any(name == module or name.startswith(module + ".") for module in FORBIDDEN):
            raise ImportError(f"{name} is not in the sandbox")
        return None


sys.meta_path.insert(0, _Refuse())

import numpy as np  # noqa: E402
from hypothesis import Phase  # noqa: E402

import grader  # noqa: E402
import grader.grading.submission  # noqa: E402
from grader.course import PROJECT_ROOT, load_course  # noqa: E402
from grader.sandbox import wire  # noqa: E402
from grader.grading.student_process import ExerciseStopped, StudentProcess  # noqa: E402

_spec = importlib.util.spec_from_file_location("sandbox_worker", PROJECT_ROOT / "grader" / "sandbox" / "worker.py")
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)


def candidates() -> tuple[dict[str, object], list[str]]:
    """Name -> callable for every function of the package (module functions, methods, and the callables kept in
    module-level tables such as the known mistakes); and the modules that cannot be imported without a forbidden
    library."""
    found, skipped = {}, []
    for info in pkgutil.walk_packages(grader.__path__, "grader."):
        if info.name == "grader.__main__":  # runs the command line when imported
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:
            skipped.append(info.name)
            continue
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                if f"{info.name}.{name}" not in ENDS_ITS_PROCESS:
                    found[f"{info.name}.{name}"] = getattr(getattr(value, "hypothesis", None), "inner_test", value)
            elif inspect.isclass(value) and value.__module__ == module.__name__:
                for attribute, member in vars(value).items():
                    if isinstance(member, (staticmethod, classmethod)) or inspect.isfunction(member):
                        found[f"{info.name}.{name}.{attribute}"] = getattr(value, attribute)
                try:
                    instance = value()
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException:  # noqa: BLE001 - not made without arguments (pytest's nodes refuse with Failed)
                    continue
                for attribute in dir(instance):
                    member = getattr(instance, attribute, None)
                    if not attribute.startswith("__") and inspect.ismethod(member):
                        found[f"{info.name}.{name}().{attribute}"] = member
            elif isinstance(value, (tuple, list)):
                for index, item in enumerate(value):
                    for field in ("wrong", "symptom", "run"):
                        member = getattr(item, field, None)
                        if callable(member):
                            found[f"{info.name}.{name}[{index}].{field}"] = member
    return found, skipped


# A check is a Hypothesis test (@given): called as an answer, it runs its body on Hypothesis' draws for the parameters
# it draws and on the caller's arguments for the rest. Its body is tried instead, on the caller's arguments for every
# parameter: it can do all the test can with them, and Hypothesis does not run nested inside the grading's own run.


def _callable_as(candidate, positional: int) -> bool:
    try:
        inspect.signature(candidate).bind(*([None] * positional))
        return True
    except (TypeError, ValueError):
        return False


def _required_positional(module: str, function: str) -> int:
    """How many arguments the stub's function requires (read from its source, not imported)."""
    tree = ast.parse((PROJECT_ROOT / "exercises" / f"{module}.py").read_text())
    definition = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function)
    return len(definition.args.args) - len(definition.args.defaults)


class InProcessStudent:
    """Stands in for StudentProcess: answers each call with CANDIDATE, through the worker's own encoding."""

    candidate = None

    def __init__(self, folder, settings, exercises: int = 1):
        self.settings = settings

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    request = staticmethod(StudentProcess.request)

    def begin_exercise(self, name: str) -> int:
        return 0

    def output(self, start: int = 0, end: int | None = None) -> str:
        return ""

    def mark(self) -> int:
        return 0

    def call(self, module, function, *args, return_args=False, **kwargs):
        outcome = self.call_many([self.request(module, function, *args, return_args=return_args, **kwargs)])[0]
        if isinstance(outcome, ExerciseStopped):
            raise outcome
        return outcome

    def call_many(self, requests):
        return [self._answer(request) for request in requests]

    def _answer(self, request):
        header, arrays = request.header, [np.array(a) for a in request.arrays]
        args = wire.unpack(header["args"], arrays)
        kwargs = dict(zip(header["kwarg_names"], wire.unpack(header["kwargs"], arrays)))
        signal.alarm(CALL_SECONDS)
        try:
            result = type(self).candidate(*args, **kwargs)
            reply, reply_arrays = worker.describe(result)
        except BaseException as error:  # noqa: BLE001 - whatever the candidate does is its answer
            reply, reply_arrays = {"status": "raised", "exception": type(error).__name__, "message": str(error)[:200]}, []
        finally:
            signal.alarm(0)
        if header.get("return_args") and reply["status"] == "returned":
            reply["args_after"], after = wire.pack([np.array(a) if isinstance(a, np.ndarray) else a for a in args])
            reply["args_offset"] = len(reply_arrays)
            reply_arrays += after
        try:
            return StudentProcess._decode(self, reply, reply_arrays, request.function)
        except ExerciseStopped as stop:
            return stop


def _alarm(signum, frame):
    raise TimeoutError("too slow")


def main(secret: Path) -> None:
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    course = load_course()
    profile = grader.grading.submission.grading_settings(course.grading.max_examples)
    fast = profile.__class__(profile, phases=(Phase.explicit, Phase.generate))  # no shrinking: pass or fail only
    grader.grading.submission.grading_settings = lambda max_examples: fast
    grader.grading.submission.StudentProcess = InProcessStudent
    found, skipped = candidates()
    passed, tried = {}, 0
    with tempfile.TemporaryDirectory() as scratch:
        for exercise in course.exercises():
            folder = Path(scratch) / exercise.name
            folder.mkdir()
            (folder / f"{exercise.module}.py").write_text(f"def {exercise.function}(*args, **kwargs):\n    pass\n")
            positional = _required_positional(exercise.module, exercise.function)
            for name, candidate in found.items():
                if not _callable_as(candidate, positional):
                    continue
                tried += 1
                InProcessStudent.candidate = candidate
                result = grader.grading.submission.grade_submission(folder, course, exercise=exercise.name, sandbox=False,
                                                         secret=secret)
                won = [check.name for e in result.exercises for check in e.checks if check.passed]
                if won:
                    passed[f"{name} as {exercise.name}"] = won
    print(json.dumps({"candidates": len(found), "tried": tried, "skipped": skipped, "passed": passed}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
