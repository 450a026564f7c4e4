"""`grader nbgrader build` and the course's gradebook.db: what it refuses before writing anything, in sentences."""

from __future__ import annotations

import pytest

from conftest import PROJECT
from grader.errors import GraderError
from grader.jupyter.course_folder import build_course_folder


def test_a_damaged_gradebook_is_a_sentence_and_stays_as_it_was(course, tmp_path):
    (tmp_path / "gradebook.db").write_bytes(b"garbage, not SQLite")
    with pytest.raises(GraderError, match=r"gradebook.db cannot be read as nbgrader's gradebook \(DatabaseError"):
        build_course_folder(course, PROJECT / "course.yaml", tmp_path)
    assert (tmp_path / "gradebook.db").read_bytes() == b"garbage, not SQLite"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["gradebook.db"]

