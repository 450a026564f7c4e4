"""An exercise's failed checks as blocks of feedback: one block per mistake.

One mistake usually fails several checks (a softmax along the wrong axis fails the Keras
comparison, any axis, large logits and the MNIST batches). Each would show its own input,
expected and got, and the same hint: four times the reading for one fix. Checks that failed
with the same hint are one block: the first such check in course order (its input is the
smallest of the property checks, which come first) shown whole, the others named. Failed
hidden checks are one block too: they only ever say that they failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.grading.results import CheckResult, ExerciseResult


@dataclass
class Block:
    """What the student reads for one mistake: a title and the first failed check's feedback."""

    exercise: str
    first: CheckResult
    also: list[CheckResult] = field(default_factory=list)
    """Later checks that failed with the same hint."""

    @property
    def names(self) -> list[str]:
        return [self.first.name, *(check.name for check in self.also)]

    @property
    def title(self) -> str:
        if self.first.hidden and not self.first.hint:
            return f"{self.exercise} / hidden checks: {', '.join(self.names)}"
        title = f"{self.exercise} / {self.first.name}: {self.first.title}"
        return title + (f" (and {len(self.also)} more with the same hint)" if self.also else "")

    @property
    def text(self) -> str:
        if not self.also:
            return self.first.feedback
        if self.first.hidden and not self.first.hint:
            return f"{self.first.feedback}\nFailed: {', '.join(self.names)}."
        return (f"{self.first.feedback}\nThe same hint fits {', '.join(check.name for check in self.also)}: "
                "fix it and run the checks again.")


def feedback_blocks(exercise: ExerciseResult) -> list[Block]:
    """The exercise's failed checks (those that ran), one block per hint; hidden failures in one block."""
    blocks: list[Block] = []
    by_key: dict[tuple, Block] = {}
    for check in exercise.checks:
        if check.passed or not check.ran:
            continue
        key = ("hint", check.hint) if check.hint else (("hidden",) if check.hidden else ("own", check.name))
        if key in by_key:
            by_key[key].also.append(check)
        else:
            by_key[key] = Block(exercise.name, check)
            blocks.append(by_key[key])
    return blocks


def grouped_with(exercise: ExerciseResult) -> dict[str, str]:
    """For each failed check shown inside another's block: the name of the check whose block shows it."""
    return {check.name: block.first.name for block in feedback_blocks(exercise) for check in block.also}
