"""Every docstring promise is tested by a check, every check tests a promise, and docs/contracts.md says so."""

from __future__ import annotations

from conftest import PROJECT
from grader.authoring.contracts import CONTRACTS, docstring, markdown, normalised


def test_every_phrase_is_quoted_from_its_docstring_and_names_checks_of_its_exercise(course):
    assert set(CONTRACTS) == {exercise.name for exercise in course.exercises()}
    for exercise in course.exercises():
        text = normalised(docstring(course, exercise.name))
        for phrase, checks in CONTRACTS[exercise.name]:
            assert normalised(phrase) in text, f"{exercise.name}: the docstring no longer says {phrase!r}"
            assert checks and set(checks) <= set(exercise.checks), (exercise.name, phrase, checks)


def test_every_check_tests_some_promise(course):
    for exercise in course.exercises():
        named = {check for _, checks in CONTRACTS[exercise.name] for check in checks}
        assert set(exercise.checks) <= named, f"{exercise.name}: {set(exercise.checks) - named} test no promise"


def test_the_stubs_carry_the_same_docstrings(course):
    for exercise in course.exercises():
        assert docstring(course, exercise.name, PROJECT / "exercises") == docstring(course, exercise.name)


def test_docs_contracts_md_is_current(course):
    assert (PROJECT / "docs" / "contracts.md").read_text() == markdown(course), \
        "docs/contracts.md is stale: python -m grader.authoring.contracts > docs/contracts.md"
