"""Canvas: its submissions download in (``grader import canvas``), its gradebook CSV out (``grader export canvas``).

The download ("Download Submissions" on an assignment) is one zip of flat files named
``<name>_<userid>_<fileid>_<file>``, or ``<name>_LATE_<userid>_...`` for late work (the Canvas
Instructor Guide, "How do I download all student submissions for an assignment?"). Canvas renames a
file uploaded again under a name it already holds to ``<file>-1``, ``-2``, ...: those suffixes are
taken off names the course expects (an exercise module, an assignment's notebook) and off zips, and
the newest upload (the highest file id) is kept. A zip is written unpacked (grader.platforms.unpack).
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
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.course import Course
from grader.errors import GraderError
from grader.grading.reports import spreadsheet_safe
from grader.platforms.unpack import (Imported, apart, is_debris, is_regular, new_root, open_download, safe_parts,
                                    student_name, write_upload)

CANVAS_NAME = re.compile(r"^(?P<name>[^/]+?)_(?:late_)?(?P<user>\d+)_(?P<file_id>\d+)_(?P<file>.+)$",
                         re.IGNORECASE)
CANVAS_COLUMN = re.compile(r"^(?P<name>.+?) \((?P<number>\d+)\)$")
"""An assignment's column in Canvas' gradebook export: its name, then its number in brackets."""
RESUBMITTED = re.compile(r"^(?P<stem>.+?)-(?P<count>\d+)(?P<suffix>\.[A-Za-z0-9]+)$")
ROSTER_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"


def expected_files(course: Course) -> set[str]:
    """The file names a submission of ``course`` is made of: the exercise modules and the assignment notebooks."""
    modules = {f"{exercise.module}.py" for exercise in course.exercises()}
    return modules | {f"{assignment.id}.ipynb" for assignment in course.assignments}


def _original_name(file: str, expected: set[str]) -> str:
    """The name the student gave the file: Canvas' resubmission suffix taken off names the course expects and zips."""
    match = RESUBMITTED.match(file)
    if match and (f"{match['stem']}{match['suffix']}" in expected or match["suffix"].lower() == ".zip"):
        return f"{match['stem']}{match['suffix']}"
    return file


def import_submissions(download: Path, root: Path, course: Course) -> Imported:
    """Write Canvas' submissions zip into ``root``, one folder per student (per Canvas user id).

    Canvas numbers every upload (the third number of the name), so a higher number is a newer file. Of a name
    uploaded twice, and of several zips, only the newest is kept; a student's files are written newest first, so
    where an older upload (a zip's content, say) would give the same file, the newer one is it.
    """
    imported = Imported(root)
    expected = expected_files(course)
    with open_download(download) as archive:
        new_root(root)
        uploads: dict[str, dict[str, tuple[int, zipfile.ZipInfo, str]]] = {}  # user id -> name -> newest (id, entry, name)
        names: dict[str, tuple[int, str]] = {}  # user id -> (file id, the name Canvas gave) of their newest upload
        for info in archive.infolist():
            parts = safe_parts(info.filename)
            if parts is not None and is_debris(parts):
                continue  # __MACOSX/._x, .DS_Store: never the student's work
            if parts is None or not is_regular(info):
                if not info.is_dir():
                    imported.left_out.append(f"{info.filename!r}: not a plain file inside the download")
                continue
            match = CANVAS_NAME.match(parts[-1])
            if match is None:
                imported.left_out.append(f"{info.filename!r}: not named <name>_<id>_<file id>_<file> as Canvas "
                                         "names submissions")
                continue
            user, file_id = match["user"], int(match["file_id"])
            if file_id >= names.get(user, (-1, ""))[0]:
                names[user] = (file_id, match["name"].lower())
            own = safe_parts(_original_name(match["file"], expected))
            if own is None or len(own) != 1 or is_debris(own):  # "..", ".DS_Store": never a file to write
                imported.left_out.append(f"{info.filename!r}: the file's own name cannot be a submission's")
                continue
            files = uploads.setdefault(user, {})
            key = "*.zip" if own[0].lower().endswith(".zip") else own[0]  # one zip per student: the newest
            if key in files:
                older = info if files[key][0] > file_id else files[key][1]
                imported.left_out.append(f"{older.filename!r}: an earlier upload than {own[0]!r} by user {user}")
                if files[key][0] > file_id:
                    continue
            files[key] = (file_id, info, own[0])
        folders = apart({user: student_name(f"{name}_{user}") for user, (_, name) in names.items()}, "Canvas user",
                        imported.left_out)
        for user, files in sorted(uploads.items()):
            if user not in folders:
                continue
            for _, info, name in sorted(files.values(), key=lambda upload: -upload[0]):  # newest first
                write_upload(imported, folders[user], (name,), lambda info=info: archive.read(info), info.file_size,
                             repr(info.filename))
    return imported


@dataclass(frozen=True)
class Student:
    """A roster row: Canvas' identifying columns, as Canvas wrote them."""

    cells: dict[str, str]

    def cell(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()  # a short row has None where its cells are missing

    def matches(self, folder: str) -> bool:
        ids = [self.cell(column) for column in ("ID", "SIS User ID", "SIS Login ID")]
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
    """The roster's column of ``assignment``: its id or title, alone or as Canvas writes it, "<name> (<number>)";
    else its title, which Canvas makes a new assignment of. Two columns that fit are the instructor's to settle."""
    names = {assignment.id.casefold(), assignment.title.casefold()}
    fitting = [header for header in headers
               if header.strip().casefold() in names
               or (m := CANVAS_COLUMN.match(header.strip())) is not None and m["name"].casefold() in names]
    if len(fitting) > 1:
        raise GraderError(f"The roster has {len(fitting)} columns for assignment {assignment.id}: "
                          f"{', '.join(repr(h) for h in fitting)}. Keep one in the roster (or rename the others).")
    return fitting[0] if fitting else assignment.title


def _results(grades: Path) -> list[tuple[str, list[tuple[str, float]]]]:
    """(folder, [(exercise, score)]) of each submission in a class run's summary.json, or a sentence why not."""
    summary_file = grades / "summary.json"
    problem = f"{summary_file} is not the summary.json grader grade writes: give the --out folder of grader grade."
    try:
        results = json.loads(summary_file.read_text(encoding="utf-8"))
        if not isinstance(results, list):
            raise GraderError(problem)
        return [(str(result["submission"]), [(str(e["name"]), float(e["score"])) for e in result["exercises"]])
                for result in results]
    except FileNotFoundError:
        raise GraderError(f"{grades} has no summary.json: give the --out folder of grader grade.") from None
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        raise GraderError(problem) from None


def gradebook(grades: Path, roster: Path, course: Course) -> tuple[str, list[str]]:
    """Canvas' import CSV from a class run's summary.json and the roster; and a sentence for each student left out."""
    results = _results(grades)
    students, headers = read_roster(roster)
    assignment_of = {exercise.name: assignment for assignment in course.assignments for exercise in assignment.exercises}
    columns = {assignment.id: _column_for(assignment, headers[len(ROSTER_COLUMNS):]) for assignment in course.assignments}
    matched: dict[int, list[tuple[str, list]]] = {}  # roster row -> the submissions that match it
    notes: list[str] = []
    for folder, exercises in results:
        rows = [index for index, student in enumerate(students) if student.matches(folder)]
        if len(rows) != 1:
            notes.append(f"{folder}: {'no' if not rows else len(rows)} roster rows match the folder name (its Canvas "
                         "ID, SIS User ID or SIS Login ID, or <name>_<Canvas ID>): not in the CSV")
            continue
        matched.setdefault(rows[0], []).append((folder, exercises))
    points: dict[int, dict[str, float]] = {}
    for row, submissions in matched.items():
        if len(submissions) > 1:  # never add up two students' work, nor pick one of them
            notes.append(f"{students[row].cell('Student') or students[row].cell('ID')}: the roster row matches "
                         f"{len(submissions)} graded folders ({', '.join(f for f, _ in submissions)}): left empty")
            continue
        totals = points.setdefault(row, {})
        for name, score in submissions[0][1]:
            assignment = assignment_of.get(name)
            if assignment is not None:
                totals[assignment.id] = totals.get(assignment.id, 0.0) + score
    graded = [a for a in course.assignments if any(a.id in totals for totals in points.values())]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*ROSTER_COLUMNS, *(columns[a.id] for a in graded)])
    writer.writerow([POINTS_POSSIBLE, "", "", "", "",
                     *(f"{sum(e.max_score for e in a.exercises):g}" for a in graded)])
    for row, student in enumerate(students):
        totals = points.get(row, {})
        text = [student.cells.get(column) or "" for column in ROSTER_COLUMNS]
        text[0], text[4] = spreadsheet_safe(text[0]), spreadsheet_safe(text[4])  # names: never a formula; IDs: as is
        writer.writerow(text + [f"{totals[a.id]:g}" if a.id in totals else "" for a in graded])
    notes += [f"{a.id}: no column of the roster is its id or title, so Canvas makes a new assignment "
              f"'{a.title}'" for a in graded if columns[a.id] == a.title and a.title not in headers]
    return buffer.getvalue(), notes
