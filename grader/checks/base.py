"""What a check is, what it gets to work with, and how a property check runs under Hypothesis."""

from __future__ import annotations

import inspect
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Callable

from hypothesis import given, reject, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from grader.grading import strategies
from grader.grading.compare import CheckFailed, show
from grader.oracle.service import NOT_SHRUNK, KerasUnavailable
from grader.oracle.recorded import Oracle
from grader.references.store import Batch, BatchSet, References
from grader.grading.replay import Recording
from grader.grading.student_process import ExerciseStopped, Outcome, Raised, Request, Returned, StudentProcess


class _Collected(BaseException):
    """Raised by ``Context.call`` while prefetching: the call was collected, the body stops there."""


@dataclass(frozen=True)
class Check:
    """One graded check of one exercise: a name (the key in course.yaml), what it proves, and how. The registry
    (grader.checks) makes one from each ``test_<name>`` function of a check module (run by ``runner``), its docstring the title."""

    name: str
    title: str
    run: Callable[[Context], None]
    """Returns when the check passes; raises CheckFailed with the feedback when it does not."""


@dataclass
class Context:
    """Everything a check may use: the student's function (in its own process) and the trusted references."""

    student: StudentProcess
    module: str
    function: str
    oracle: Oracle
    references: References
    hypothesis_settings: settings
    recording: Recording
    key: str = ""
    """``exercise.check`` of the check running now: where its examples are recorded."""
    notes: list[str] = field(default_factory=list)
    _collected: list[Request] | None = None
    _prefetched: deque[tuple[Request, Outcome]] = field(default_factory=deque)
    _answered: bool = False
    """Whether a call of this exercise has been answered yet (see _make_ahead)."""

    def call(self, *args, return_args: bool = False, **kwargs) -> Returned | Raised:
        """Call the student's function with these arguments."""
        outcome = self._prefetched_outcome(args, kwargs, return_args)
        if outcome is not None:
            if isinstance(outcome, ExerciseStopped):
                raise outcome
            return outcome
        if self._collected is not None:
            self._collected.append(self.student.request(self.module, self.function, *args,
                                                        return_args=return_args, **kwargs))
            raise _Collected
        outcome = self.student.call(self.module, self.function, *args, return_args=return_args, **kwargs)
        self._answered = True
        return outcome

    def _prefetched_outcome(self, args: tuple, kwargs: dict, return_args: bool) -> Outcome | None:
        """The outcome made ahead for this very call, if any; the ones before it, left by a body that stopped
        early (a failure), are dropped. None if there is none: the call is made then."""
        for index, (request, outcome) in enumerate(self._prefetched):
            if request.same_call(args, kwargs, return_args):
                for _ in range(index + 1):
                    self._prefetched.popleft()
                return outcome
        return None

    def prefetch(self, examples: list[tuple], body: Callable[..., None]) -> None:
        """Make the calls of ``body`` on each example now, in as few messages to the worker as a body makes calls.

        Each body is run up to its first call, which is collected instead of made; the calls then go to the
        worker together. Then each body is run again, its first call answered from those outcomes, up to its
        second call, collected in turn; and so on while the bodies make calls: a round stops at the first body
        that makes no further call (it is done, or it failed, where the replay stops too), so that a check's
        bodies are run whole ahead of time once at most. ``call`` then hands out the
        outcomes, in order, when the bodies run for real; a call that was not made ahead is made then, on its
        own. The outcomes are the same either way; only the round trips differ. Collecting also stops at a call
        that stops the exercise or loses the worker.
        """
        made: list[list[tuple[Request, Outcome]]] = [[] for _ in examples]
        going = list(range(len(examples)))
        while going:
            collected: list[tuple[int, Request]] = []
            for index in going:
                self._prefetched, self._collected = deque(made[index]), []
                try:
                    body(*examples[index])
                except _Collected:
                    collected.append((index, self._collected[0]))
                    continue
                except Exception:  # noqa: BLE001, S110 - the body fails here, and does again when replayed
                    pass
                finally:
                    self._collected = None
                break  # a body without a further call (done, or failed): the rest are not run ahead
            outcomes = self._make_ahead([request for _, request in collected]) if collected else []
            for (index, request), outcome in zip(collected, outcomes):
                made[index].append((request, outcome))
            if len(outcomes) < len(collected) or any(isinstance(outcome, ExerciseStopped) for outcome in outcomes):
                break
            going = [index for index, _ in collected]
        self._prefetched = deque(pair for calls in made for pair in calls)

    def _make_ahead(self, requests: list[Request]) -> list[Outcome]:
        """The outcomes of these calls, made in one message; but the exercise's very first call goes alone, since
        a stub (NotImplementedError), a module that does not import or a function that is missing stops the
        exercise right there, and the other calls would be made for nothing."""
        if self._answered or len(requests) == 1:
            outcomes = self.student.call_many(requests)
        else:
            outcomes = self.student.call_many(requests[:1])
            if len(outcomes) == 1 and not isinstance(outcomes[0], ExerciseStopped):
                outcomes += self.student.call_many(requests[1:])
        self._answered = True
        return outcomes

    def forget_prefetched(self) -> None:
        self._prefetched = deque()

    def batches(self, hidden: bool) -> BatchSet:
        """The visible or the hidden MNIST reference batches."""
        return self.references.hidden if hidden else self.references.visible


FIXTURES: dict[str, Callable[[Context], object]] = {
    "student": lambda ctx: ctx.call,
    "keras": lambda ctx: ctx.oracle,
    "notes": lambda ctx: ctx.notes,
    "references": lambda ctx: ctx.references,
    "mnist": lambda ctx: MnistBatches(ctx.batches(False), "grade-time" if ctx.references.secret else "public"),
    "mnist_hidden": lambda ctx: MnistBatches(ctx.batches(True), "hidden"),
    "ctx": lambda ctx: ctx,
}
"""What a check function may ask for by naming a parameter, as pytest fixtures are asked for:

- ``student``: the student's function, run in its sandboxed process: ``student(z, axis=1)`` gives the outcome
  (Returned or Raised), ``student(z, return_args=True)`` also the arguments as the call left them;
- ``keras``: the Keras oracle (grader.oracle.recorded.Oracle): recorded answers, Keras itself for new inputs;
- ``notes``: the exercise's notes, which expect_array adds to (a tolerance that was widened, say);
- ``references``: the trained model's W and b, and the fixed cases (grader.references.store.References);
- ``mnist``, ``mnist_hidden``: the visible or the hidden MNIST reference batches (MnistBatches);
- ``ctx``: all of these (grader.checks.base.Context), for helpers that need several.

Every other parameter is drawn by Hypothesis: the check is decorated with ``@given(name=strategy, ...)``."""


def given_strategies(function: Callable) -> dict[str, st.SearchStrategy]:
    """A check's ``@given`` strategies by argument name, {} for a check without one. Hypothesis keeps them in a
    private attribute (its version is pinned in pyproject.toml); this is the one place that reads it."""
    handle = getattr(function, "hypothesis", None)
    return dict(handle._given_kwargs) if handle is not None else {}


def runner(function: Callable) -> Callable[[Context], None]:
    """How the engine runs a check function: its fixtures looked up by parameter name (FIXTURES), and for a
    Hypothesis test (``@given(z=strategies.logits())``) the drawn arguments run by check_property, which replays
    the recorded examples, draws from the course secret at grade time, and shrinks a failure. Raises TypeError,
    with a sentence, for a parameter that is neither."""
    handle = getattr(function, "hypothesis", None)
    inner = handle.inner_test if handle is not None else function
    drawn = given_strategies(function)
    where = f"{function.__module__}.{function.__name__}"
    if any(strategy is Ellipsis for strategy in drawn.values()):
        raise TypeError(f"{where}: give each drawn argument its strategy, @given(z=strategies.logits()): "
                        "strategies inferred from type hints (...) are not recorded for replay.")
    fixtures = [name for name in inspect.signature(inner).parameters if name not in drawn]
    unknown = [name for name in fixtures if name not in FIXTURES]
    if unknown:
        raise TypeError(f"{where} asks for {', '.join(unknown)}, which is neither a fixture of the checks "
                        f"({', '.join(FIXTURES)}) nor drawn by its @given.")
    names = tuple(drawn)

    def run(ctx: Context) -> None:
        given = {name: FIXTURES[name](ctx) for name in fixtures}
        if not names:
            inner(**given)
            return
        check_property(ctx, strategies.examples(tuple(drawn.values())), names,
                       lambda *example: inner(**given, **dict(zip(names, example))))
    return run


@dataclass(frozen=True)
class MnistBatches:
    """The ``mnist`` and ``mnist_hidden`` fixtures: MNIST reference batches with what the trained Keras model gives on
    each (grader.references.store.Batch), and how a failure names them."""

    batches: BatchSet
    which: str
    """"public", "grade-time" (drawn from the course secret) or "hidden"."""

    def each(self, call: str, check: Callable[[Batch], None]) -> None:
        """Run ``check(batch)`` on each batch in turn; a failure says which batch, and ``call``, what was run on it."""
        for batch in self.batches:
            try:
                check(batch)
            except CheckFailed as failure:
                raise failure.restated(f"On {self.which} MNIST batch {batch.index} ({len(batch.x)} images): "
                                       f"{call}:\n{failure.problem}") from None


def failed_assertions(body: Callable[..., None]) -> Callable[..., None]:
    """``body``, with a plain ``assert`` (or numpy.testing's ``assert_allclose``...) failing the way a check fails:
    its message is the problem shown (with the input, when a property check shrinks it), and no hint."""
    def checked(*example) -> None:
        try:
            body(*example)
        except AssertionError as error:
            raise CheckFailed(str(error).strip() or "An assertion of the check failed.") from None
    return checked


def check_property(ctx: Context, strategy: st.SearchStrategy[tuple], names: tuple[str, ...],
                   body: Callable[..., None]) -> None:
    """Run ``body(*example)`` on the grading profile's examples; on failure, report the smallest one.

    The recorded examples are replayed first (grader.grading.replay); only a failure among them,
    or a recording made under other settings, runs Hypothesis. Hypothesis shrinks a failure
    to a minimal example and replays it last, so the last failure seen is the minimal one:
    its input is shown with the problem and the hint.
    """
    body = failed_assertions(body)
    recording = ctx.recording
    replay_failure = None
    voters: list[tuple[tuple, CheckFailed]] = []
    if not recording.record and recording.usable(ctx.hypothesis_settings.max_examples) and ctx.key in recording.examples:
        examples = recording.examples[ctx.key]
        replayed = examples[0] if examples else ()
        try:
            ctx.prefetch(examples, body)
            for index, replayed in enumerate(examples):
                body(*replayed)
            return
        except CheckFailed as failure:
            replay_failure = (replayed, failure)  # Hypothesis meets the same failure and shrinks it
            voters = _more_failures(examples[index + 1:], body)
        finally:
            ctx.forget_prefetched()
    failures: list[tuple[tuple, CheckFailed]] = []

    @ctx.hypothesis_settings
    @given(strategy)
    def property_holds(example: tuple) -> None:
        if recording.record:
            recording.add(ctx.key, example)
        try:
            body(*example)
        except CheckFailed as failure:
            failures.append((example, failure))
            raise
        except KerasUnavailable:  # an input with no recorded answer, and no TensorFlow to compute one: not judged
            reject()  # (only shrinking meets such inputs: every input the grading draws is recorded)

    if ctx.references.secret:  # grade-time inputs: drawn from the course secret, not from the public derandomized seed
        property_holds = seed(ctx.references.seed(ctx.key))(property_holds)
    try:
        property_holds()
        if replay_failure is not None:  # cannot happen with the same draws; never let a failure pass
            raise replay_failure[1]
    except CheckFailed:
        if not failures:
            failures.append(replay_failure)
        raise _on_input(*failures[-1], names, failures[:VOTERS] + voters, ctx.oracle.unavailable) from None
    except Flaky:
        failed = _on_input(*failures[-1], names, failures, ctx.oracle.unavailable)
        raise CheckFailed(
            f"{failed.problem}\nIt failed on this input once and passed on it another time.",
            "Does your function keep state between calls, or use randomness?",
        ) from None


def _more_failures(examples: list, body: Callable[..., None]) -> list[tuple[tuple, CheckFailed]]:
    """Up to VOTERS more failing examples among the next recorded ones (Hypothesis' first draws are its smallest,
    so the later ones are larger): they tell apart the mistakes a tiny input fits by coincidence."""
    found: list[tuple[tuple, CheckFailed]] = []
    for example in examples[:VOTER_TRIES]:
        try:
            body(*example)
        except CheckFailed as failure:
            found.append((example, failure))
            if len(found) == VOTERS:
                break
    return found


def _argument(name: str, value) -> str:
    """``name = value`` on one line when it fits, else the value below its name."""
    shown = show(value)
    return f"{name} = {shown.strip()}" if "\n" not in shown and len(shown) <= 80 else f"{name} =\n{shown}"


def _on_input(example: tuple, failure: CheckFailed, names: tuple[str, ...], seen: list,
              unshrunk: bool = False) -> CheckFailed:
    arguments = "\n".join(_argument(name, value) for name, value in zip(names, example))
    heading = NOT_SHRUNK if unshrunk else "Smallest failing input found:"
    return CheckFailed(f"{heading}\n{arguments}\n{failure.problem}", _likeliest_hint(failure, seen))


VOTERS = 3
"""Failing examples (Hypothesis' first ones, and more recorded ones) asked which hint fits, when the smallest fits several."""
VOTER_TRIES = 12
"""Recorded examples tried after the first failing one, to find more voters."""


def _likeliest_hint(final: CheckFailed, seen: list) -> str | None:
    """Of the hints the smallest example matches, the one the first failing examples agree on most.

    A tiny example can match several known mistakes by coincidence (on a 2x2 input a count
    and an argmax along the wrong axis may give the same number); the larger examples
    Hypothesis met on the way tell them apart. Hints are only worked out for those few
    (finding them may need Keras).
    """
    if len(final.hints) < 2:
        return final.hint
    votes = Counter(hint for _, failure in seen for hint in failure.hints_among(final.hints))
    return max(final.hints, key=lambda hint: votes[hint])
