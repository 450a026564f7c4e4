"""Grading results as data: frozen dataclasses, scores computed, rendered elsewhere (grader.grading.reports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

STATUSES = {
    "passed": "Every check passed.",
    "failed": "Some checks failed: the feedback below says which input and why.",
    "not_attempted": "Not attempted yet: the function still raises NotImplementedError.",
    "error": "The code could not be graded: the message says what to fix first.",
    "timeout": "A call ran out of time and was stopped: look for an endless loop or very slow code.",
    "crashed": "The process running the code died (exit or a fatal error) during a call.",
    "memory": "The code used more memory than allowed.",
    "forbidden": "The code imports a library the exercise is about writing by hand.",
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: all of its points or none."""

    name: str
    title: str
    """What the check proves, in one line."""
    max_score: float
    passed: bool
    feedback: str = ""
    """Why it failed: the input, expected and got, and a hint. Empty when it passed."""
    hidden: bool = False
    """Graded for the instructor only (course.yaml); the student sees it only after release."""
    ran: bool = True
    """False when an earlier problem in the exercise (a timeout, an import error...) stopped grading first."""
    hint: str = ""
    """The hint alone (also the feedback's last line): checks failed with the same hint are one mistake's."""

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0


@dataclass(frozen=True)
class ExerciseResult:
    """The outcome of one exercise: its checks, a status from STATUSES, and a sentence for the student."""

    name: str
    status: str
    checks: tuple[CheckResult, ...]
    message: str = ""
    notes: tuple[str, ...] = ()
    """Remarks that cost no points, e.g. a result in a wider float type than the input."""
    hidden_points: float = 0.0
    """Points of hidden checks that could not run here (no hidden references): graded by the instructor."""
    output: str = ""
    """What the student's code printed while this exercise was graded (capped)."""

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_score for check in self.checks)


@dataclass(frozen=True)
class SubmissionResult:
    """One submission graded: every exercise asked for."""

    submission: str
    exercises: tuple[ExerciseResult, ...]
    notes: tuple[str, ...] = ()
    """About the submission as a whole, e.g. files left out (links, special files)."""

    @property
    def score(self) -> float:
        return sum(exercise.score for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    def summary(self) -> dict:
        """The JSON summary of ``grader check --json`` and summary.json."""
        return {
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "notes": list(self.notes),
            "exercises": [
                {
                    "name": exercise.name,
                    "score": exercise.score,
                    "max_score": exercise.max_score,
                    "status": exercise.status,
                    "message": exercise.message or STATUSES[exercise.status],
                    "notes": list(exercise.notes),
                    "output": exercise.output,
                    "checks": [
                        {
                            "name": check.name,
                            "score": check.score,
                            "max_score": check.max_score,
                            "passed": check.passed,
                            "feedback": check.feedback,
                        }
                        for check in exercise.checks
                    ],
                }
                for exercise in self.exercises
            ],
        }

    def to_record(self) -> dict:
        """Everything in this result as plain JSON data; ``from_record`` gives it back unchanged."""
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> SubmissionResult:
        exercises = tuple(
            ExerciseResult(**dict(exercise, checks=tuple(CheckResult(**check) for check in exercise["checks"]),
                                  notes=tuple(exercise["notes"])))
            for exercise in record["exercises"]
        )
        return cls(record["submission"], exercises, tuple(record.get("notes", ())))
