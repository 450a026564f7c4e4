"""LMS downloads in (Canvas' submissions zip, Gradescope's export), Canvas' gradebook CSV out.

The downloads are built here in the LMSs' documented layouts, with what students put in them: late
work, resubmissions Canvas renamed, group submissions, notebooks beside modules, and names made to
escape the class folder."""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import COURSE, PROJECT, SECRET
from grader.cli import main
from grader.classrun.gradebook import grade_class
from grader.platforms import unpack

SOLUTIONS = PROJECT / "solutions"
FORWARD_PASS = COURSE.only_assignment("forward_pass")


def zip_of(path: Path, entries: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name in links:  # a Unix zip stores a link as its target's text, with the link's mode
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def files_under(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def zipped_hand_in(tmp_path: Path, name: str) -> bytes:
    """What a student zips on a Mac: the exercises folder, macOS debris, a link, a name that climbs out."""
    files = {f"exercises/{module}.py": (SOLUTIONS / f"{module}.py").read_bytes() for module in ("softmax", "dense",
                                                                                                "accuracy")}
    files.update({"__MACOSX/exercises/._softmax.py": b"\0", "../../climbed.py": b"print('out')"})
    return zip_of(tmp_path / name, files, links=("exercises/link.py",)).read_bytes()


def canvas_download(tmp_path: Path) -> Path:
    softmax, dense = (SOLUTIONS / "softmax.py").read_bytes(), (SOLUTIONS / "dense.py").read_bytes()
    return zip_of(tmp_path / "submissions.zip", {
        "curiemarie_104_9009_handin.zip": b"an older zip, not even a zip",
        "curiemarie_104_9010_handin-1.zip": zipped_hand_in(tmp_path, "handin.zip"),  # Canvas renamed the newer one
        "lovelaceada_101_9001_softmax.py": softmax,
        "lovelaceada_101_9002_dense.py": b"def dense_forward(x, W, b, activation=None):\n    return None\n",
        "lovelaceada_101_9003_dense-1.py": dense,  # uploaded again: Canvas renamed it, and it is the newer one
        "lovelaceada_101_9004_accuracy.py": (SOLUTIONS / "accuracy.py").read_bytes(),
        "babbagecharles_LATE_102_9005_forward_pass.ipynb": b"{}",
        "hopperg_103_9006_notes-2.txt": b"not an exercise: its name is kept",
        "../../escaped.py": b"print('out')",
        "hopperg_103_9007_..\\..\\escaped.py": b"print('out')",
        "readme.txt": b"not a submission",
    }, links=("hopperg_103_9008_softmax.py",))


def test_a_canvas_download_becomes_the_class_layout(tmp_path):
    root = tmp_path / "class"
    done = CliRunner().invoke(main, ["import", "canvas", str(canvas_download(tmp_path)), "--out", str(root)])
    assert done.exit_code == 0, done.output
    files = files_under(root)
    assert sorted(files) == ["babbagecharles_102/forward_pass.ipynb",
                             "curiemarie_104/exercises/accuracy.py", "curiemarie_104/exercises/dense.py",
                             "curiemarie_104/exercises/softmax.py",  # the zip unpacked: grading reads no zip
                             "hopperg_103/notes-2.txt",
                             "lovelaceada_101/accuracy.py", "lovelaceada_101/dense.py", "lovelaceada_101/softmax.py"]
    assert files["lovelaceada_101/dense.py"] == (SOLUTIONS / "dense.py").read_bytes()  # the resubmission won
    assert not list(tmp_path.glob("**/escaped.py"))
    assert not list(tmp_path.glob("**/climbed.py"))
    for name in ("'../../escaped.py'", "readme.txt", "hopperg_103_9008_softmax.py",
                 "'lovelaceada_101_9002_dense.py': an earlier upload than 'dense.py'",
                 "'curiemarie_104_9009_handin.zip': an earlier upload than 'handin.zip'", "'exercises/link.py': not a plain file inside the zip",
                 "'../../climbed.py': not a plain file inside the zip"):
        assert name in done.output, name
    assert "next: grader grade" in done.output


def test_an_import_never_mixes_with_an_earlier_class(tmp_path):
    root = tmp_path / "class"
    (root / "someone").mkdir(parents=True)
    done = CliRunner().invoke(main, ["import", "canvas", str(canvas_download(tmp_path)), "--out", str(root)])
    assert done.exit_code == 1 and "is not an empty folder" in done.output


def test_an_oversized_upload_is_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(unpack, "MAX_FILE_BYTES", 1000)
    download = zip_of(tmp_path / "submissions.zip", {"ada_1_2_softmax.py": b"#" * 5000, "ada_1_3_dense.py": b"pass"})
    done = CliRunner().invoke(main, ["import", "canvas", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 0 and "more than a submission may hold" in done.output
    assert sorted(files_under(tmp_path / "class")) == ["ada_1/dense.py"]


def test_a_file_that_is_not_a_zip_is_said(tmp_path):
    (tmp_path / "grades.csv").write_text("Student,ID\n")
    done = CliRunner().invoke(main, ["import", "canvas", str(tmp_path / "grades.csv"), "--out", str(tmp_path / "c")])
    assert done.exit_code == 1 and "is not a zip file" in done.output


METADATA = """\
submission_11:
  :submitters:
  - :name: Ada Lovelace
    :sid: '2041'
    :email: ada@example.edu
  :created_at: 2026-11-20 10:00:00.000000000 -08:00
  :score: 0.0
submission_12:
  :submitters:
  - :name: Grace Hopper
    :sid: '2042'
    :email: grace@example.edu
  - :name: Alan Turing
    :sid:
    :email: alan.turing@example.edu
"""


def test_a_gradescope_export_becomes_the_class_layout(tmp_path):
    softmax = (SOLUTIONS / "softmax.py").read_bytes()
    download = zip_of(tmp_path / "export.zip", {
        "assignment_7_export/submission_metadata.yml": METADATA.encode(),
        "assignment_7_export/submission_11/softmax.py": softmax,
        "assignment_7_export/submission_12/exercises/softmax.py": softmax,
        "assignment_7_export/submission_12/__MACOSX/._softmax.py": b"\0",
        "assignment_7_export/submission_99/softmax.py": softmax,
        "assignment_7_export/submission_11/../../../escaped.py": b"print('out')",
    }, links=("assignment_7_export/submission_11/link.py",))
    root = tmp_path / "class"
    done = CliRunner().invoke(main, ["import", "gradescope", str(download), "--out", str(root)])
    assert done.exit_code == 0, done.output
    files = files_under(root)
    assert sorted(files) == ["2041/softmax.py", "2042/exercises/softmax.py",
                             "alan.turing@example.edu/exercises/softmax.py"]  # no sid: the whole email
    assert "submission_99" in done.output and "link.py" in done.output and "escaped.py" in done.output
    assert not list(tmp_path.glob("**/escaped.py"))


def test_a_gradescope_zip_without_its_metadata_is_said(tmp_path):
    download = zip_of(tmp_path / "export.zip", {"submission_11/softmax.py": b""})
    done = CliRunner().invoke(main, ["import", "gradescope", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 1 and "submission_metadata.yml" in done.output


ROSTER = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,"
    "\"A Dense layer by hand: softmax, forward pass, accuracy (4321)\",Quiz 1 (4400)\n"
    "    Points Possible,,,,,28.00,10.00\n"
    "\"Lovelace, Ada\",101,S0001,ada,Section A,,9\n"
    "\"Babbage, Charles\",102,S0002,charles,Section B,,7\n"
    "\"Hopper, Grace\",103,S0003,grace,Section A,,8\n"
    "\"Curie, Marie\",104,S0004,marie,Section B,,6\n"
)


def canvas_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def export_canvas(tmp_path: Path, grades: Path) -> tuple[Path, str]:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "canvas.csv"
    done = CliRunner().invoke(main, ["export", "canvas", "--grades", str(grades), "--roster",
                                     str(tmp_path / "roster.csv"), "--out", str(out)])
    assert done.exit_code == 0, done.output
    return out, done.output


def test_the_canvas_csv_has_canvas_columns_and_points_only(tmp_path):
    grades = tmp_path / "grades"
    grades.mkdir()
    exercise = lambda name, score: {"name": name, "score": score}  # noqa: E731
    (grades / "summary.json").write_text(json.dumps([
        {"submission": "lovelaceada_101", "exercises": [exercise("softmax", 11), exercise("dense", 10),
                                                         exercise("accuracy", 6), exercise("one_hot", 4)]},
        {"submission": "S0002", "exercises": [exercise("softmax", 3)]},
        {"submission": "stranger_999", "exercises": [exercise("softmax", 11)]},
    ]))
    out, printed = export_canvas(tmp_path, grades)
    header = next(csv.reader(io.StringIO(out.read_text())))
    learning = COURSE.only_assignment("learning").assignments[0]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      "A Dense layer by hand: softmax, forward pass, accuracy (4321)", learning.title]
    rows = canvas_rows(out)
    assert rows[0]["Student"].strip() == "Points Possible"
    assert float(rows[0][header[5]]) == sum(e.max_score for e in FORWARD_PASS.exercises())
    by_id = {row["ID"]: row for row in rows[1:]}
    assert by_id["101"][header[5]] == "27" and by_id["101"][header[6]] == "4"
    assert by_id["102"][header[5]] == "3" and by_id["102"][header[6]] == ""  # not graded: Canvas leaves it
    assert by_id["103"][header[5]] == "" and by_id["103"]["Section"] == "Section A"
    assert "stranger_999: no roster rows match" in printed
    assert f"Canvas makes a new assignment '{learning.title}'" in printed


@pytest.mark.slow
def test_canvas_in_grades_canvas_out(tmp_path):
    """The whole trip: Canvas' download imported, graded on the grade-time inputs, and the CSV Canvas imports."""
    root = tmp_path / "class"
    done = CliRunner().invoke(main, ["import", "canvas", str(canvas_download(tmp_path)), "--out", str(root)])
    assert done.exit_code == 0, done.output
    grade_class(root, tmp_path / "grades", FORWARD_PASS, jobs=2, sandbox=True, secret=SECRET)
    out, _ = export_canvas(tmp_path, tmp_path / "grades")
    by_id = {row["ID"]: row for row in canvas_rows(out)[1:]}
    column = "A Dense layer by hand: softmax, forward pass, accuracy (4321)"
    assert float(by_id["101"][column]) == sum(e.max_score for e in FORWARD_PASS.exercises())  # Ada's resubmission
    assert float(by_id["102"][column]) == 0  # an empty notebook earns nothing, and is still a grade
    assert float(by_id["104"][column]) == float(by_id["101"][column])  # a zipped hand-in earns full marks too


def test_a_damaged_entry_is_left_out_and_the_rest_imported(tmp_path):
    download = zip_of(tmp_path / "submissions.zip", {"o_brien_1_2_softmax.py": b"A" * 64, "o_brien_1_3_dense.py": b"pass"})
    data = download.read_bytes()
    download.write_bytes(data.replace(b"A" * 64, b"B" * 64, 1))  # the stored bytes no longer match their CRC
    done = CliRunner().invoke(main, ["import", "canvas", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 0 and "could not be written (BadZipFile" in done.output
    assert sorted(files_under(tmp_path / "class")) == ["o_brien_1/dense.py"]  # a name with "_" in it is fine


# What a dishonest or careless student (or a messy class) put in front of the importers and the export.

def test_gradescope_students_are_never_merged_into_one_folder(tmp_path):
    person = lambda sid, email: f"  - :name: someone\n    :sid: {sid}\n    :email: {email}\n"  # noqa: E731
    metadata = ("submission_1:\n  :submitters:\n" + person("'12345'", "ada@school.edu")
                + "submission_2:\n  :submitters:\n" + person("", "12345@evil.example")  # no sid: the whole email
                + "submission_3:\n  :submitters:\n" + person("0123", "a@school.edu")  # YAML 1.1 would read 83
                + "submission_4:\n  :submitters:\n" + person("'A1'", "b@school.edu")
                + "submission_5:\n  :submitters:\n" + person("'a1'", "c@school.edu")  # one folder on a Mac: neither
                + "submission_6:\n  :submitters: not a list\n")  # no people: the folder's own name
    nine = lambda item: "[" + ", ".join([item] * 9) + "]"  # noqa: E731
    bomb = ("submission_7:\n  :submitters:\n"  # a billion-laughs alias bomb where an ID belongs: no ID
            f"  - :sid: &l1 {nine('lol')}\n    :email: &l2 {nine('*l1')}\n"
            f"  - :sid: &l3 {nine('*l2')}\n    :email: {nine('*l3')}\n")
    files = {f"export/submission_{n}/softmax.py": f"# {n}".encode() for n in range(1, 8)}
    download = zip_of(tmp_path / "export.zip", {"export/submission_metadata.yml": (metadata + bomb).encode(), **files})
    done = CliRunner().invoke(main, ["import", "gradescope", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 0, done.output
    files = files_under(tmp_path / "class")
    assert files["12345/softmax.py"] == b"# 1" and files["12345@evil.example/softmax.py"] == b"# 2"
    assert files["0123/softmax.py"] == b"# 3"
    assert not any(name.casefold().startswith("a1/") for name in files)
    assert "both are left out" in done.output
    assert files["submission_6/softmax.py"] == b"# 6"


def test_canvas_debris_and_ties_never_replace_the_work(tmp_path):
    download = zip_of(tmp_path / "submissions.zip", {
        "ada_1_2_softmax.py": b"# the work",
        "__MACOSX/._ada_1_2_softmax.py": b"\0AppleDouble",
        "ada_1_1_dense.py": b"# older submission",
        "ada_1_3_dense.py": b"# newer submission",  # the same count: the newer submission wins, whatever the order
        "Ada_1_4_accuracy.py": b"# the same student, capitalised",
        "eve_5_6_" + "é" * 130 + ".py": b"# a name the disk refuses",
        "eve_5_6_softmax.py": b"# eve's work",
    })
    done = CliRunner().invoke(main, ["import", "canvas", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 0, done.output
    files = files_under(tmp_path / "class")
    assert files == {"ada_1/softmax.py": b"# the work", "ada_1/dense.py": b"# newer submission",
                     "ada_1/accuracy.py": b"# the same student, capitalised", "eve_5/softmax.py": b"# eve's work"}
    assert "could not be written" in done.output  # the long name, said; the rest imported


def export_with(tmp_path: Path, roster: str, summary) -> tuple[int, str, Path]:
    grades = tmp_path / "grades"
    grades.mkdir(exist_ok=True)
    (grades / "summary.json").write_text(summary if isinstance(summary, str) else json.dumps(summary))
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    out = tmp_path / "canvas.csv"
    done = CliRunner().invoke(main, ["export", "canvas", "--grades", str(grades), "--roster",
                                     str(tmp_path / "roster.csv"), "--out", str(out)])
    return done.exit_code, done.output, out


def test_canvas_points_land_only_where_they_belong(tmp_path):
    roster = ("Student,ID,SIS User ID,SIS Login ID,Section,Learning Journal Week 1 (20),learning (21)\n"
              "\"=HYPERLINK(\"\"http://evil\"\")\",1,,,=cmd|' /C calc'!A0,4,\n"
              "Bob,2,S2\n"  # a short row
              "Cat,,S3,,Section A,,\n")  # no Canvas ID
    summary = [{"submission": "x_1", "exercises": [{"name": "one_hot", "score": 3}]},
               {"submission": "S2", "exercises": [{"name": "one_hot", "score": 2}]},
               {"submission": "bob_2", "exercises": [{"name": "one_hot", "score": 4}]},  # a second folder for Bob
               {"submission": "S3", "exercises": [{"name": "one_hot", "score": 1}]}]
    code, printed, out = export_with(tmp_path, roster, summary)
    assert code == 0, printed
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0][5:] == ["learning (21)"]  # not "Learning Journal Week 1 (20)", which merely starts alike
    assert rows[2][0].startswith("'=") and rows[2][4].startswith("'=")  # names and sections never run as formulas
    assert rows[2][5] == "3" and rows[3][5] == "" and rows[4][5] == "1"
    assert "matches 2 graded folders (S2, bob_2): left empty" in printed


def test_two_roster_columns_for_one_assignment_are_the_instructors_to_settle(tmp_path):
    roster = "Student,ID,SIS User ID,SIS Login ID,Section,learning (21),Learning (22)\nAda,1,,,,,\n"
    code, printed, _ = export_with(tmp_path, roster, [])
    assert code == 1 and "2 columns for assignment learning" in printed


@pytest.mark.parametrize("summary", ["{not json", "{}", "[{\"exercises\": []}]", "[1, 2]"])
def test_a_summary_that_is_not_grader_grades_is_said(tmp_path, summary):
    code, printed, _ = export_with(tmp_path, "Student,ID\nAda,1\n", summary)
    assert code == 1 and "is not the summary.json grader grade writes" in printed


def test_a_zip_never_writes_outside_its_students_folder(tmp_path):
    """Names a POSIX path reads as absolute ("//x", and "\\\\x" once backslashes are slashes) or that climb out."""
    victim = tmp_path / "class" / "alice_101" / "softmax.py"
    names = [f"/{victim}", "\\\\" + str(victim)[1:].replace("/", "\\"), f"/{tmp_path / 'outside.py'}",
             "..\\outside.py", "C:\\outside.py", "sub/../../outside.py"]
    inner = zip_of(tmp_path / "evil.zip", {name: b"def softmax(z, axis=-1):\n    return z * 0\n" for name in names})
    download = zip_of(tmp_path / "submissions.zip", {
        "mallory_1_5_evil.zip": inner.read_bytes(),  # user 1: written before alice
        "alice_101_6_softmax.py": (SOLUTIONS / "softmax.py").read_bytes(),
        f"/{tmp_path}/outside2.py": b"", f"//{tmp_path}/outside3.py": b""})
    done = CliRunner().invoke(main, ["import", "canvas", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 0, done.output
    assert victim.read_bytes() == (SOLUTIONS / "softmax.py").read_bytes()
    assert files_under(tmp_path / "class").keys() == {"alice_101/softmax.py"}
    assert not list(tmp_path.glob("outside*")) and not list(tmp_path.glob("**/outside*"))
    assert done.output.count("not a plain file inside the zip") == len(names)


def test_the_newest_upload_wins_whatever_the_names(tmp_path):
    wrong = b"def softmax(z, axis=-1):\n    return z\n"
    right = (SOLUTIONS / "softmax.py").read_bytes()
    download = zip_of(tmp_path / "submissions.zip", {
        "bb_1_10_v1.zip": zip_of(tmp_path / "v1.zip", {"hw/softmax.py": wrong}).read_bytes(),
        "bb_1_11_v2.zip": zip_of(tmp_path / "v2.zip", {"hw2/softmax.py": right}).read_bytes(),  # the newest zip alone
        "dd_2_20_handin.zip": zip_of(tmp_path / "h.zip", {"softmax.py": wrong}).read_bytes(),
        "dd_2_21_softmax.py": right,  # newer than the zip: it is the file
        "ee_3_30_handin-3.zip": zip_of(tmp_path / "e3.zip", {"softmax.py": wrong}).read_bytes(),
        "ee_3_31_handin.zip": zip_of(tmp_path / "e.zip", {"softmax.py": right}).read_bytes(),
    })
    done = CliRunner().invoke(main, ["import", "canvas", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 0, done.output
    assert files_under(tmp_path / "class") == {"bb_1/hw2/softmax.py": right, "dd_2/softmax.py": right,
                                               "ee_3/softmax.py": right}


def test_a_damaged_or_crowded_zip_costs_its_files_only(tmp_path, monkeypatch):
    monkeypatch.setattr(unpack, "MAX_FILES", 5)
    compressed = tmp_path / "deflated.zip"
    with zipfile.ZipFile(compressed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("softmax.py", b"x = 1\n" * 5000)
    data = bytearray(compressed.read_bytes())
    data[60:90] = b"\xff" * 30  # the deflate stream itself is damaged: zlib, not zipfile, notices
    crowded = zip_of(tmp_path / "crowded.zip", {f"f{i}.py": b"" for i in range(50)})
    download = zip_of(tmp_path / "submissions.zip", {"ann_1_2_broken.zip": bytes(data),
                                                     "bob_2_3_crowded.zip": crowded.read_bytes(),
                                                     "cat_3_4_dense.py": b"pass"})
    done = CliRunner().invoke(main, ["import", "canvas", str(download), "--out", str(tmp_path / "class")])
    assert done.exit_code == 0, done.output
    assert "could not be written (error" in done.output or "could not be written (BadZipFile" in done.output
    assert "45 entries past the first 5" in done.output and done.output.count("\n") < 20
    assert len([name for name in files_under(tmp_path / "class") if name.startswith("bob_2/")]) == 5
    assert "cat_3/dense.py" in files_under(tmp_path / "class")
