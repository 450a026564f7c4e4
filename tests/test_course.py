"""course.yaml loads into a strict schema; mistakes in it are reported by name."""

from __future__ import annotations

import pytest
import yaml

from conftest import PROJECT
from grader.course import load_course
from grader.errors import CourseError


def write(tmp_path, change) -> str:
    raw = yaml.safe_load((PROJECT / "course.yaml").read_text())
    change(raw)
    path = tmp_path / "course.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_the_course_loads(course):
    raw = yaml.safe_load((PROJECT / "course.yaml").read_text())
    listed = [exercise for assignment in raw["assignments"] for exercise in assignment["exercises"]]
    assert [e.name for e in course.exercises()] == [exercise["name"] for exercise in listed]
    first, last = listed[0]["name"], listed[-1]["name"]
    assert [e.name for e in course.exercises([last, first])] == [first, last]  # in the course's order, not the asked
    assert sum(e.max_score for e in course.exercises()) == sum(
        check["points"] for exercise in listed for check in exercise["checks"].values())
    assert course.limits.call_timeout_seconds == 10


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, lambda raw: raw["limits"].update(call_timeout=3))
    with pytest.raises(CourseError, match=r"limits\.call_timeout: unknown key"):
        load_course(path)


def test_bad_value_is_named(tmp_path):
    path = write(tmp_path, lambda raw: raw["assignments"][0]["exercises"][1]["checks"]["mnist_batches"].update(points=-1))
    with pytest.raises(CourseError, match=r"assignments\[0\]\.exercises\[1\]\.checks\.mnist_batches\.points"):
        load_course(path)


def test_unknown_check_lists_the_known_ones(tmp_path):
    path = write(tmp_path, lambda raw: raw["assignments"][0]["exercises"][0]["checks"].update(typo={"points": 1}))
    with pytest.raises(CourseError, match="check 'typo'.*its checks are: matches_keras"):
        load_course(path)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(CourseError, match="does not exist"):
        load_course(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed")
    with pytest.raises(CourseError, match="not valid YAML") as error:
        load_course(bad)
    assert "title: [unclosed\n" in str(error.value) and "^" in str(error.value)  # the line at fault, pointed at


def test_unknown_exercise_is_a_sentence(course):
    with pytest.raises(CourseError, match="no exercise named 'softmx'.*softmax, dense, accuracy"):
        course.exercises("softmx")


def test_running_notebooks_in_a_kernel_is_no_longer_an_option(tmp_path):
    """A kernel would run student code with the instructor's rights; autograde runs none (grader.jupyter)."""
    path = write(tmp_path, lambda raw: raw["nbgrader"].update(execute_notebooks=True))
    with pytest.raises(CourseError, match=r"nbgrader\.execute_notebooks: unknown key"):
        load_course(path)


def test_due_dates_are_read_in_the_course_time_zone(tmp_path):
    def change(raw):
        raw["timezone"] = "America/New_York"
        raw["assignments"][0]["due"] = "2026-12-18"  # a date: the end of that day there
        raw["assignments"][1]["due"] = "2027-01-22 09:30:00+01:00"  # its own offset wins

    course = load_course(write(tmp_path, change))
    first, second = (course.due_at(assignment) for assignment in course.assignments)
    assert first.isoformat() == "2026-12-19T04:59:59+00:00"
    assert second.isoformat() == "2027-01-22T08:30:00+00:00"
    undated = load_course(write(tmp_path, lambda raw: raw["assignments"][0].pop("due")))
    assert undated.due_at(undated.assignments[0]) is None


def test_unknown_time_zone_is_named(tmp_path):
    with pytest.raises(CourseError, match=r"timezone: .*'Mars/Olympus' is not an IANA time zone name"):
        load_course(write(tmp_path, lambda raw: raw.update(timezone="Mars/Olympus")))


def test_impossible_or_numeric_due_dates_are_sentences(tmp_path):
    path = tmp_path / "course.yaml"
    path.write_text((PROJECT / "course.yaml").read_text().replace("due: 2026-12-18", "due: 2026-13-45", 1))
    with pytest.raises(CourseError, match="holds an impossible date or time: month must be in 1..12"):
        load_course(path)
    with pytest.raises(CourseError, match=r"assignments\[0\]\.due: Value error, give a date"):
        load_course(write(tmp_path, lambda raw: raw["assignments"][0].update(due=1734000000)))
