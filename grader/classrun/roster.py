"""The submissions of a class: what under ROOT is one, and the name each student is filed under.

Every folder of ROOT is a student's, and every ``.ipynb`` file (its name without ``.ipynb``);
names starting with ``.`` or ``_`` are debris (``.DS_Store``, ``__MACOSX``) and left out. A link is
still a submission, which grader.grading.snapshot then refuses: nothing behind it is read.

A student's name is the file name as a person reads it: Unicode in NFC (so the two spellings of
"zoë" that macOS and Linux make are one name), with bytes that are not UTF-8 (a Windows zip's)
shown escaped. Two submissions filed under the same name (``alice/`` and ``alice.ipynb``, or both
spellings of "zoë", or "Alice" and "alice", which a case-insensitive disk cannot tell apart) are
both refused, with a sentence naming both, and filed apart: no student's grade replaces another's.
"""

from __future__ import annotations

import os
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionError


@dataclass(frozen=True)
class Entry:
    """One submission of the class."""

    path: Path
    name: str
    """The student: the row of the gradebook and the folder of their results."""
    refused: str = ""
    """Why it is not graded (two submissions under one name), or empty."""


def readable(file_name: str) -> str:
    """A file name as text a person can read and every file format can hold: NFC, other bytes escaped."""
    text = os.fsencode(file_name).decode("utf-8", "backslashreplace")
    return unicodedata.normalize("NFC", text)


def student_name(submission: Path) -> str:
    """The student a submission belongs to: its folder's name, or its notebook's name without .ipynb."""
    is_notebook = submission.suffix == ".ipynb" and not submission.is_dir()
    return readable(submission.stem if is_notebook else submission.name)


def class_roster(root: Path) -> list[Entry]:
    """The submissions in ``root``, by name; the ones that share a name are refused."""
    if not root.is_dir():
        raise SubmissionError(f"{root} is not a folder: give the folder that holds one subfolder per student.")
    found = []
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir(follow_symlinks=False) or entry.name.endswith(".ipynb") or entry.is_symlink():
                found.append(Path(entry.path))
    if not found:
        raise SubmissionError(f"{root} has no submissions: put each in ROOT/<student>/ or as ROOT/<student>.ipynb.")
    by_name = defaultdict(list)
    for path in found:
        by_name[student_name(path).casefold()].append(path)
    roster = []
    for paths in by_name.values():
        if len(paths) == 1:
            roster.append(Entry(paths[0], student_name(paths[0])))
            continue
        shown = " and ".join(_as_given(p) for p in sorted(paths))
        for path in paths:
            why = (f"{shown} would both be filed as {student_name(path)!r}, so neither is graded: keep one "
                   "submission per student, then grade again.")
            roster.append(Entry(path, f"{student_name(path)} ({_as_given(path)})", why))
    return sorted(roster, key=lambda entry: entry.name)


def _as_given(path: Path) -> str:
    """The file name exactly as on disk, escaped to show what differs (e.g. a decomposed accent)."""
    name = os.fsencode(path.name).decode("utf-8", "backslashreplace")
    return ascii(name + ("/" if path.is_dir() and not path.is_symlink() else ""))[1:-1]
