"""Writing an LMS download into the class layout, ROOT/<student>/<files>, without trusting a byte of it.

Every name in a download was chosen by a student (the file they uploaded) or by the LMS from their
name. So: only regular files are written (no links, devices or folders-as-files), every path is
rebuilt from its parts with none that is empty, ``.`` or ``..``, nothing lands outside the
student's folder, a file larger than MAX_FILE_BYTES is left out and said, and ROOT must be new or
empty, so no earlier class's files mix in. What the grader then makes of each folder (debris,
zips, notebooks) is grader.snapshot's, as for any submission.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.errors import GraderError
from grader.roster import readable

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Larger than any exercise file or notebook a student writes; a bigger upload is left out, with a note."""


@dataclass
class Imported:
    """What an import wrote: the students' folders, and a sentence for each file left out."""

    root: Path
    students: dict[str, list[str]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)

    def summary(self) -> str:
        files = sum(len(names) for names in self.students.values())
        lines = [f"wrote {files} files of {len(self.students)} students into {self.root}"]
        lines += [f"  left out: {reason}" for reason in self.left_out]
        return "\n".join(lines)


def new_root(root: Path) -> None:
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise GraderError(f"{root} is not an empty folder: give a new one, so no other class's files mix in.")
    root.mkdir(parents=True, exist_ok=True)


def safe_parts(name: str) -> tuple[str, ...] | None:
    """The parts of a relative path inside a download, or None for a name that would leave its folder."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or any(part in ("", ".", "..") for part in parts) or ":" in parts[0]:
        return None
    return tuple(readable(part) for part in parts)


def student_name(text: str) -> str:
    """A folder name for a student from LMS text: letters, digits, '-', '_', '.' and '@'; the rest becomes '_'."""
    cleaned = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in readable(text).strip())
    cleaned = cleaned.lstrip("._")  # a leading dot or underscore would make the roster take it for debris
    return cleaned or "unnamed"


def is_regular(info: zipfile.ZipInfo) -> bool:
    """A zip entry that is a plain file: not a folder, and not a link (a Unix zip stores a link's mode)."""
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 where the zip stored no Unix mode (Windows, Python's zipfile)
    return not info.is_dir() and kind in (0, stat.S_IFREG)


def write_file(imported: Imported, student: str, parts: tuple[str, ...], read, size: int, origin: str) -> None:
    """Write one file of ``student``'s, unless it is too large or already there."""
    if size > MAX_FILE_BYTES:
        imported.left_out.append(f"{origin}: {size / 2**20:.0f} MB, more than the {MAX_FILE_BYTES // 2**20} MB "
                                 "any exercise file needs")
        return
    folder = imported.root / student
    target = folder.joinpath(*parts)
    if target.exists():
        imported.left_out.append(f"{origin}: {student} already has a file {'/'.join(parts)}")
        return
    try:
        data = read()
    except (zipfile.BadZipFile, OSError, EOFError) as error:  # a damaged entry, or one whose sizes lie
        imported.left_out.append(f"{origin}: damaged in the download ({error})")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if len(data) > MAX_FILE_BYTES:  # a zip entry can claim one size and hold more
        imported.left_out.append(f"{origin}: more than the {MAX_FILE_BYTES // 2**20} MB any exercise file needs")
        return
    target.write_bytes(data)
    imported.students.setdefault(student, []).append("/".join(parts))


def open_download(download: Path) -> zipfile.ZipFile:
    if not download.is_file():
        raise GraderError(f"{download} is not a file: give the .zip the LMS let you download.")
    try:
        return zipfile.ZipFile(download)
    except zipfile.BadZipFile:
        raise GraderError(f"{download} is not a zip file: give the .zip the LMS let you download, as it is.") from None
