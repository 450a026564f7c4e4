"""Canvas: its submissions download in (``grader import canvas``), its gradebook CSV out (``grader export canvas``).

The download ("Download Submissions" on an assignment) is one zip of flat files named
``<name>_<userid>_<submissionid>_<file>``, or ``<name>_LATE_<userid>_...`` for late work (the Canvas
Instructor Guide, "How do I download all student submissions for an assignment?"). Canvas renames a
file uploaded again under a name it already holds to ``<file>-1``, ``-2``, ...: those suffixes are
taken off names the course expects (an exercise module, an assignment's notebook), keeping the highest.
Each student's files go to ROOT/<name>_<userid>/.

The gradebook CSV follows Canvas' "How do I import grades in the Gradebook?" and its own export: the
columns Student, ID, SIS User ID, SIS Login ID and Section, then one column per assignment holding
points only (any other column would become a new Canvas assignment), and a "Points Possible" row.
The students are the rows of a roster, which is Canvas' own gradebook export (Grades, Export): its
IDs are what Canvas matches on, and an assignment column whose name starts with the assignment's id
or title keeps Canvas' header, "<name> (<assignment id>)", so the points land in that assignment.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from grader.course import Course
from grader.errors import GraderError
from grader.platforms.unpack import Imported, is_regular, new_root, open_download, safe_parts, student_name, write_file

CANVAS_NAME = re.compile(r"^(?P<name>[^/]+?)_(?:late_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$",
                         re.IGNORECASE)
RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<count>\d+)(?P<suffix>\.[A-Za-z0-9]+)$")
ROSTER_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"


def expected_files(course: Course) -> set[str]:
    """The file names a submission of ``course`` is made of: the exercise modules and the assignment notebooks."""
    modules = {f"{exercise.module}.py" for exercise in course.exercises()}
    return modules | {f"{assignment.id}.ipynb" for assignment in course.assignments}


def _original_name(file: str, expected: set[str]) -> tuple[str, int]:
    """The name the student gave the file, and Canvas' resubmission count (0 for the first upload)."""
    match = RESUBMITTED.match(file)
    if match and f"{match['stem']}{match['suffix']}" in expected:
        return f"{match['stem']}{match['suffix']}", int(match["count"])
    return file, 0


def import_submissions(download: Path, root: Path, course: Course) -> Imported:
    """Write Canvas' submissions zip into ``root``, one folder per student."""
    imported = Imported(root)
    expected = expected_files(course)
    with open_download(download) as archive:
        new_root(root)
        latest: dict[tuple[str, str], tuple[int, object]] = {}
        for info in archive.infolist():
            parts = safe_parts(info.filename)
            if parts is None or not is_regular(info):
                if not info.is_dir():
                    imported.left_out.append(f"{info.filename!r}: not a plain file inside the download")
                continue
            match = CANVAS_NAME.match(parts[-1])
            if match is None:
                imported.left_out.append(f"{info.filename!r}: not named <name>_<id>_<submission>_<file> as Canvas "
                                         "names submissions")
                continue
            student = student_name(f"{match['name']}_{match['user']}")
            name, count = _original_name(match["file"], expected)
            safe = safe_parts(name)
            if safe is None:
                imported.left_out.append(f"{info.filename!r}: a file name that would leave the student's folder")
                continue
            key = (student, "/".join(safe))
            if key in latest and latest[key][0] >= count:
                imported.left_out.append(f"{info.filename!r}: an earlier upload of {name} by {student}")
                continue
            if key in latest:
                imported.left_out.append(f"{latest[key][1].filename!r}: an earlier upload of {name} by {student}")
            latest[key] = (count, info)
        for (student, name), (_, info) in sorted(latest.items()):
            write_file(imported, student, tuple(name.split("/")), lambda info=info: archive.read(info), info.file_size,
                       repr(info.filename))
    return imported


@dataclass(frozen=True)
class Student:
    """A roster row: Canvas' identifying columns, as Canvas wrote them."""

    cells: dict[str, str]

    def matches(self, folder: str) -> bool:
        ids = [self.cells.get(column, "").strip() for column in ("ID", "SIS User ID", "SIS Login ID")]
        canvas_id = ids[0]
        return folder in [value for value in ids if value] or bool(canvas_id and folder.endswith(f"_{canvas_id}"))


def read_roster(path: Path) -> tuple[list[Student], list[str]]:
    """Canvas' gradebook export: its students (not the Points Possible row) and its column names."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # Canvas writes a byte-order mark
    except (OSError, UnicodeDecodeError) as error:
        raise GraderError(f"Cannot read the roster {path}: {error}. Give the CSV Canvas' gradebook export "
                          "(Grades, Export, Export Entire Gradebook) wrote.") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in ("Student", "ID") if column not in (reader.fieldnames or [])]
    if missing:
        raise GraderError(f"The roster {path} has no {' or '.join(missing)} column: give the CSV Canvas' gradebook "
                          "export wrote (its first columns are Student, ID, SIS User ID, SIS Login ID, Section).")
    students = [Student(dict(row)) for row in reader
                if (row.get("Student") or "").strip() not in ("Points Possible", "")]
    return students, list(reader.fieldnames or [])


def _column_for(assignment, headers: list[str]) -> str:
    """The roster's column of ``assignment`` (Canvas' "<name> (<id>)"), else its title: a new Canvas assignment."""
    for header in headers[len(ROSTER_COLUMNS):]:
        name = header.lower()
        if name.startswith(assignment.id.lower()) or name.startswith(assignment.title.lower()):
            return header
    return assignment.title


def gradebook(grades: Path, roster: Path, course: Course) -> tuple[str, list[str]]:
    """Canvas' import CSV from a class run's summary.json and the roster; and a sentence for each student left out."""
    summary_file = grades / "summary.json"
    if not summary_file.is_file():
        raise GraderError(f"{grades} has no summary.json: give the --out folder of grader grade.")
    results = json.loads(summary_file.read_text())
    students, headers = read_roster(roster)
    assignment_of = {exercise.name: assignment for assignment in course.assignments for exercise in assignment.exercises}
    columns = {assignment.id: _column_for(assignment, headers) for assignment in course.assignments}
    points: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for result in results:
        rows = [student for student in students if student.matches(result["submission"])]
        if len(rows) != 1:
            notes.append(f"{result['submission']}: {'no' if not rows else len(rows)} roster rows match the folder "
                         "name (its Canvas ID, SIS User ID or SIS Login ID, or <name>_<Canvas ID>): not in the CSV")
            continue
        totals = points.setdefault(rows[0].cells["ID"], {})
        for exercise in result["exercises"]:
            assignment = assignment_of.get(exercise["name"])
            if assignment is not None:
                totals[assignment.id] = totals.get(assignment.id, 0.0) + exercise["score"]
    graded = [a for a in course.assignments if any(a.id in totals for totals in points.values())]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*ROSTER_COLUMNS, *(columns[a.id] for a in graded)])
    writer.writerow([POINTS_POSSIBLE, "", "", "", "",
                     *(f"{sum(e.max_score for e in a.exercises):g}" for a in graded)])
    for student in students:
        totals = points.get(student.cells["ID"], {})
        writer.writerow([student.cells.get(column, "") for column in ROSTER_COLUMNS]
                        + [f"{totals[a.id]:g}" if a.id in totals else "" for a in graded])
    notes += [f"{a.id}: no column of the roster starts with its id or title, so Canvas makes a new assignment "
              f"'{a.title}'" for a in graded if columns[a.id] == a.title and a.title not in headers]
    return buffer.getvalue(), notes
