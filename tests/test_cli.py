"""The command line: exit codes, clean errors, the JSON summary, and the class gradebook."""

from __future__ import annotations

import csv
import json
import subprocess

import pytest
from click.testing import CliRunner

from conftest import HIDDEN_FORWARD_PASS, CHECK_COUNT, FORWARD_PASS, FULL_MARKS, PROJECT, PUBLIC_MARKS, SECRET
from corpus import ROOT, assemble
from grader.cli import main
from grader.course import load_course


def run(*args, course=None):
    prefix = ["--course", str(course)] if course else []
    return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)


def test_check_json_is_only_the_summary():
    result = run("check", str(PROJECT / "solutions"), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["score"] == summary["max_score"] == PUBLIC_MARKS  # the hidden checks are the instructor's
    exercise = summary["exercises"][0]
    assert {"name", "score", "max_score", "status", "checks"} <= exercise.keys()
    assert {"name", "score", "max_score", "passed", "feedback"} <= exercise["checks"][0].keys()


def test_check_table_for_the_stubs_exits_zero():
    result = run("check", str(PROJECT / "exercises"))
    assert result.exit_code == 0
    assert f"0 / {PUBLIC_MARKS:g} points" in result.stdout and "not_attempted" in result.stdout


def test_one_exercise():
    summary = json.loads(run("check", str(PROJECT / "solutions"), "--exercise", "dense", "--json").stdout)
    assert [e["name"] for e in summary["exercises"]] == ["dense"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["check", "no/such/folder"], "is not a folder"),
        (["check", str(PROJECT / "solutions"), "--exercise", "nope"], "no exercise named 'nope'"),
        (["grade", "no/such/root", "--out", "x"], "is not a folder"),
    ],
)
def test_user_errors_are_sentences_not_tracebacks(args, says):
    result = run(*args)
    assert result.exit_code == 1
    assert says in result.output and "Traceback" not in result.output


def test_bad_course_file_names_the_key(tmp_path):
    bad = tmp_path / "course.yaml"
    bad.write_text((PROJECT / "course.yaml").read_text().replace("max_examples: 60", "max_example: 60"))
    result = run("check", course=bad)
    assert result.exit_code == 1 and "grading.max_example: unknown key" in result.output


def test_every_command_has_help():
    for command in ("check", "grade", "release", "stubs", "references", "secret", "nbgrader"):
        result = run(command, "--help")
        assert result.exit_code == 0 and len(result.output.splitlines()) > 3
    assert run("--version").output.startswith("grader, version")


def test_stubs_check_passes_on_the_repository():
    result = run("stubs", "--check")
    assert result.exit_code == 0 and "match" in result.output


def test_grade_writes_the_gradebook(tmp_path):
    root = tmp_path / "class"
    for entry in ("syntax_error", "missing_function"):
        assemble(ROOT / "broken" / entry, root)
    assemble(ROOT / "correct" / "loops", root)
    (root / "stub_student").mkdir()
    for stub in (PROJECT / "exercises").glob("*.py"):
        (root / "stub_student" / stub.name).write_text(stub.read_text())
    out = tmp_path / "out"
    result = run("grade", str(root), "--out", str(out), "--jobs", "2", "--secret", str(SECRET))
    assert result.exit_code == 0, result.output
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert rows["loops"]["total"] == f"{FULL_MARKS:g}" and rows["stub_student"]["total"] == "0"
    assert rows["syntax_error"]["softmax_status"] == "error" and rows["syntax_error"]["accuracy"] == "6"
    summary = json.loads((out / "summary.json").read_text())
    assert [s["submission"] for s in summary] == sorted(rows)
    gradescope = json.loads((out / "students" / "loops" / "results.json").read_text())
    assert gradescope["score"] == FULL_MARKS and len(gradescope["tests"]) == CHECK_COUNT
    assert {t["visibility"] for t in gradescope["tests"]} == {"visible", "after_published"}


def test_notebooks_are_graded_like_modules(tmp_path):
    from grader.jupyter.course_folder import build_course_folder

    build_course_folder(load_course(), PROJECT / "course.yaml", tmp_path / "nb")
    notebook = tmp_path / "nb" / "source" / "forward_pass" / "forward_pass.ipynb"
    summary = json.loads(run("check", str(notebook), "--json").stdout)
    assert summary["submission"] == "forward_pass" and summary["score"] == FORWARD_PASS - HIDDEN_FORWARD_PASS  # its own assignment's, hidden ones aside
    assert [e["name"] for e in summary["exercises"]] == [e.name for e in load_course().assignments[0].exercises]

    root = tmp_path / "class"
    (root / "folder_student" / "forward_pass").mkdir(parents=True)
    (root / "folder_student" / "forward_pass" / "forward_pass.ipynb").write_bytes(notebook.read_bytes())
    (root / "file_student.ipynb").write_bytes(notebook.read_bytes())
    result = run("grade", str(root), "--out", str(tmp_path / "out"), "--jobs", "1", "--assignment", "forward_pass",
                 "--secret", str(SECRET))
    assert result.exit_code == 0, result.output
    rows = {row["student"]: row["total"] for row in csv.DictReader((tmp_path / "out" / "grades.csv").open())}
    assert rows == {"file_student": f"{FORWARD_PASS:g}", "folder_student": f"{FORWARD_PASS:g}"}
    # without --assignment, a notebook named after its student (not its assignment) is a sentence, not a guess
    result = run("grade", str(root), "--out", str(tmp_path / "all"), "--jobs", "1", "--secret", str(SECRET))
    summary = {s["submission"]: s for s in json.loads((tmp_path / "all" / "summary.json").read_text())}
    assert summary["folder_student"]["score"] == FORWARD_PASS
    assert "name it after its assignment" in summary["file_student"]["exercises"][0]["message"]


def test_a_broken_notebook_is_a_sentence(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    result = run("check", str(bad))
    assert result.exit_code == 1 and "is not a readable Jupyter notebook" in result.output


def test_nbgrader_build_writes_the_course_folder(tmp_path):
    result = run("nbgrader", "build", "--out", str(tmp_path / "course"))
    assert result.exit_code == 0
    assert (tmp_path / "course" / "nbgrader_config.py").is_file()
    assert (tmp_path / "course" / "source" / "forward_pass" / "forward_pass.ipynb").is_file()
    due = load_course().due_at(load_course().assignments[0])
    assert f"forward_pass: due {due:%Y-%m-%d %H:%M:%S} UTC in the gradebook" in result.output
    pasted = next(line for line in result.output.splitlines() if "next: " in line).split("next: ", 1)[1]
    first = load_course().assignments[0].id
    assert pasted.endswith(f"cd {tmp_path / 'course'} && nbgrader generate_assignment {first}")  # any folder
    assert subprocess.run(["bash", "-n", "-c", pasted]).returncode == 0  # a command line as printed
    for unusable in ("$HOME", "100%", "q?x=1", "a#b"):
        refused = run("nbgrader", "build", "--out", str(tmp_path / unusable))
        assert refused.exit_code == 1 and "nbgrader cannot have in a course folder's path" in refused.output
        assert not (tmp_path / unusable).exists()


def test_grade_one_assignment_and_rerun_skips(tmp_path):
    root = tmp_path / "class"
    assemble(ROOT / "correct" / "loops", root)
    out = tmp_path / "out"
    first = run("grade", str(root), "--out", str(out), "--assignment", "forward_pass", "--no-sandbox",
                "--secret", str(SECRET))
    assert first.exit_code == 0, first.output
    names = [exercise.name for exercise in load_course().only_assignment("forward_pass").exercises()]
    assert "graded 1 submission " in first.stdout and f"Exercises by status: {len(names)} passed." in first.stdout
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    others = {exercise.name for exercise in load_course().exercises()} - set(names)
    assert header[1:1 + len(names)] == names and not others & set(header)
    again = run("grade", str(root), "--out", str(out), "--assignment", "forward_pass", "--no-sandbox",
                "--secret", str(SECRET))
    assert "graded 0 submissions" in again.stdout and "1 skipped" in again.stdout
    unknown = run("grade", str(root), "--out", str(out), "--assignment", "backprop", "--no-sandbox",
                  "--secret", str(SECRET))
    assert unknown.exit_code == 1 and "no assignment named 'backprop'" in unknown.output
    assert "Traceback" not in unknown.output


def test_check_warns_when_the_references_were_recorded_for_other_checks(tmp_path):
    current = run("check", str(PROJECT / "exercises"))
    assert "public references were recorded for other checks" not in current.output
    course = tmp_path / "course.yaml"
    course.write_text((PROJECT / "course.yaml").read_text().replace("max_examples: 60", "max_examples: 61"))
    stale = run("--course", str(course), "check", str(PROJECT / "exercises"))
    assert "warning: the public references were recorded for other checks (grading.max_examples is now 61)" \
        in stale.output and "run: grader build" in stale.output
