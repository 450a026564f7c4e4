"""A submission's checks as pytest nodes: pytest runs the grading.

Each exercise is a collector (``ExerciseNode``) whose items are its checks (``CheckItem``, with its points and
visibility as markers). An exercise's hidden checks are a second collector of the same name, after every
exercise's visible checks: nothing the code learns from the hidden inputs can reach a visible check's feedback
or output. ``grade_submission`` runs these nodes in a pytest session of its own (grader.grading.session);
``pytest --submission`` collects the same nodes under the course file (grader.pytest_plugin). Either way a
check's verdict comes from ``CheckItem.runtest``, an exercise's from its nodes (``exercise_results``).

A collector's setup and teardown are pytest's, as for a module or a class: the exercise begins in the
student's worker when its first check runs, and its output is read when its last check is done.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pytest

from grader.checks import CHECKS
from grader.checks.base import failed_assertions
from grader.course import ExerciseConfig
from grader.grading.compare import CheckFailed
from grader.grading.results import CheckResult, ExerciseResult
from grader.grading.student_process import ExerciseStopped, forbidden_message

if TYPE_CHECKING:
    from grader.grading.submission import SubmissionRun

STOPPING = ("forbidden", "not_attempted", "error", "timeout", "crashed", "memory")
HIDDEN_FAILED = "Failed on the hidden inputs (which, like what the code printed or raised on them, are not shown)."
HIDDEN_STOPPED = {
    "not_attempted": "raised NotImplementedError",
    "error": "could not be imported",
    "timeout": "ran out of time",
    "crashed": "ended its process",
    "memory": "ran out of memory",
    "forbidden": "imported a library the exercise forbids",
}
"""While a hidden check ran, the code ...: the grader's own words, never a message, a name or a code from the code."""

MARKERS = (
    "points(n): the points a check is worth (all or nothing)",
    "visibility(word): who sees the check's result: visible, hidden, after_due_date or after_published "
    "(Gradescope's words)",
)


def register_markers(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)


@dataclass
class Grading:
    """What the nodes of one submission share: the submission, ready to grade once set up, or why it cannot be."""

    run: SubmissionRun | None = None
    problem: str = ""
    show_output: bool = False
    """Attach what the code printed to its exercise's first failing check (``pytest --submission``)."""


class CheckFailure(Exception):
    """A check that did not pass: its feedback is the report."""


def exercise_nodes(parent: pytest.Collector | pytest.Session, grading: Grading, exercises: list[ExerciseConfig],
                   hidden: list[ExerciseConfig]) -> tuple[list[ExerciseNode], list[ExerciseNode]]:
    """The visible pass of ``exercises`` and, after it, the hidden pass of ``hidden``."""
    visible = {e.name: ExerciseNode.from_parent(parent, name=e.name, exercise=e, hidden=False, grading=grading)
               for e in exercises}
    return list(visible.values()), [
        ExerciseNode.from_parent(parent, name=e.name, exercise=e, hidden=True, grading=grading,
                                 visible=visible.get(e.name))
        for e in hidden]


class ExerciseNode(pytest.Collector):
    """One pass (visible or hidden) over one exercise's checks, and what they found."""

    def __init__(self, *, exercise: ExerciseConfig, hidden: bool, grading: Grading,
                 visible: ExerciseNode | None = None, **kwargs):
        super().__init__(**kwargs)
        self.exercise, self.hidden, self.grading, self.visible = exercise, hidden, grading, visible
        self.checks: list[CheckResult] = []
        self.status: str | None = None
        self.message = ""
        self.start = 0
        self.result: ExerciseResult | None = None
        self.error: BaseException | None = None
        """What stopped the grader itself here (not the student's code): raised again by the session."""
        self.problem_shown = ""  # the test that showed what stopped the exercise
        self.output_shown = False

    def check_names(self) -> list[str]:
        """The checks of this pass, in course order."""
        return [name for name, check in self.exercise.checks.items() if check.hidden == self.hidden]

    def collect(self):
        for name in self.check_names():
            check = self.exercise.checks[name]
            yield CheckItem.from_parent(self, name=name, points=check.points, hidden=check.hidden)

    def graded_here(self) -> bool:
        run = self.grading.run
        return run is not None and self.exercise.name in run.contexts

    def setup(self) -> None:
        if not self.graded_here():
            return  # its checks say why
        try:
            self.start = self.grading.run.student.begin_exercise(self.exercise.name)
        except BaseException as error:
            self.error = error
            raise
        before = self.visible.result if self.visible is not None else None
        forbidden = self.grading.run.forbidden[self.exercise.name]
        if before is not None and before.status in STOPPING and before.message:
            self.status, self.message = before.status, before.message
        elif forbidden:
            self.status = "forbidden"
            self.message = forbidden_message([line.rsplit(": ", 1)[1] for line in forbidden])
            self.message += " Found at: " + "; ".join(forbidden) + "."

    def teardown(self) -> None:
        if self.graded_here() and self.error is None:
            try:
                self.result = self._result()
            except BaseException as error:
                self.error = error
                raise

    def run_check(self, name: str) -> CheckResult:
        """Run the check ``name`` on the student's function; a problem that stops the exercise stops its later checks."""
        config, check = self.exercise.checks[name], CHECKS[self.exercise.name][name]
        ctx = self.grading.run.contexts[self.exercise.name]
        if self.status in STOPPING and self.message:
            result = CheckResult(name, check.title, config.points, False, f"Not run: {self.message}", config.hidden,
                                 ran=False)
            self.checks.append(result)
            return result
        feedback, hint, ran, ctx.key = "", "", True, f"{self.exercise.name}.{name}"
        try:
            failed_assertions(check.run)(ctx)
        except CheckFailed as failure:
            hint = "" if self.hidden else (failure.hint or "")
            feedback = HIDDEN_FAILED if self.hidden else failure.problem + (f"\nHint: {hint}" if hint else "")
        except ExerciseStopped as stop:  # not attempted, import error, timeout, crash, memory, forbidden: stop here
            self.status, self.message, feedback = stop.status, stop.message, stop.message
            if self.hidden:  # a message may carry what the code saw (an exit code, a name, a number)
                self.message = feedback = (f"While a hidden check ran, the code "
                                           f"{HIDDEN_STOPPED.get(stop.status, 'stopped')}; "
                                           "what it printed or raised there is not shown.")
            ran = stop.status in ("timeout", "crashed", "memory")  # the check itself ran into the problem
        except Exception as error:  # noqa: BLE001 - a grader bug must not cost the class its grades
            feedback = f"The grader failed on this check ({type(error).__name__}: {error}); please tell your instructor."
            self.status = self.status or "error"
        result = CheckResult(name, check.title, config.points, not feedback, feedback, config.hidden, ran, hint)
        self.checks.append(result)
        return result

    def _result(self) -> ExerciseResult:
        """What this pass found. A hidden pass's result carries verdicts and points only, nothing from the code."""
        run = self.grading.run
        ctx = run.contexts[self.exercise.name]
        status = self.status or ("passed" if all(check.passed for check in self.checks) else "failed")
        hidden_points = 0.0
        if not self.hidden and ctx.references.hidden is None:  # the instructor's grade run has them
            hidden_points = float(sum(c.points for c in self.exercise.checks.values() if c.hidden))
        result = ExerciseResult(self.exercise.name, status, tuple(self.checks), self.message, tuple(ctx.notes),
                                hidden_points)
        if self.hidden:
            return result
        return replace(result, output=run.student.output(self.start, run.student.mark()))

    def failure_report(self, item: CheckItem, result: CheckResult) -> str:
        """The report of a check that did not pass: its feedback, or a pointer to the check that showed the problem
        that stopped the exercise before it."""
        feedback = result.feedback or self.message or f"The check did not pass ({self.status or 'failed'})."
        if not result.ran:  # one problem stopped the whole exercise: say it once, point to it after
            self.problem_shown = self.problem_shown or item.nodeid
            if self.problem_shown != item.nodeid:
                feedback = f"Not run: the problem shown for {self.problem_shown} stopped {self.exercise.name} " \
                           "before this check."
        if self.grading.show_output and not self.hidden and not self.output_shown:
            student = self.grading.run.student
            output = student.output(self.start, student.mark())
            if output:  # once per exercise, with its first failing check
                self.output_shown = True
                item.add_report_section("call", f"what {self.exercise.name}'s code printed", output)
        return f"{self.exercise.name}: {result.title}\n{feedback}"


class CheckItem(pytest.Item):
    """One check of one exercise: passes or fails with the check, its feedback the failure's report."""

    def __init__(self, *, points: float, hidden: bool, **kwargs):
        super().__init__(**kwargs)
        visibility = "after_published" if hidden else "visible"
        self.add_marker(pytest.mark.points(points))
        self.add_marker(pytest.mark.visibility(visibility))
        self.user_properties += [("points", points), ("visibility", visibility)]  # in --junitxml
        self.result: CheckResult | None = None

    def runtest(self) -> None:
        node: ExerciseNode = self.parent
        if node.grading.run is None:
            raise CheckFailure(f"The submission could not be graded: {node.grading.problem}")
        if not node.graded_here():  # a notebook is graded on its own assignment only
            pytest.skip(f"{node.exercise.name} is not part of what {node.grading.run.snapshot.name} is graded on.")
        self.result = node.run_check(self.name)
        self.user_properties.append(("score", self.result.score))
        if not self.result.passed:
            raise CheckFailure(node.failure_report(self, self.result))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::{self.name}"


def exercise_results(visible: list[ExerciseNode], hidden: list[ExerciseNode]) -> tuple[ExerciseResult, ...]:
    """Each exercise's result, its visible and hidden passes merged, checks in course order; an exercise none of
    whose checks ran is left out."""
    after = {node.exercise.name: node.result for node in hidden if node.result is not None}
    results = []
    for node in visible:
        if node.result is None:
            continue
        results.append(_merged(node.exercise, node.result, after[node.exercise.name])
                       if node.exercise.name in after else node.result)
    return tuple(results)


def _merged(config: ExerciseConfig, visible: ExerciseResult, hidden: ExerciseResult) -> ExerciseResult:
    """One exercise's result from its visible and hidden passes, checks in course order."""
    by_name = {check.name: check for check in (*visible.checks, *hidden.checks)}
    checks = tuple(by_name[name] for name in config.checks if name in by_name)
    status, message = visible.status, visible.message
    if status not in STOPPING or not message:
        status, message = (hidden.status, hidden.message) if hidden.status in STOPPING else (status, message)
        if status not in STOPPING:
            status = "passed" if all(check.passed for check in checks) else "failed"
    return replace(visible, status=status, checks=checks, message=message)  # the notes of the visible checks only
