"""Writing an LMS download into the class layout, ROOT/<student>/<files>, without trusting a byte of it.

Every name in a download was chosen by a student (the file they uploaded) or by the LMS from their
name. A zip a student uploaded is written unpacked (Canvas keeps it whole; grading reads modules and
notebooks). So, for the download and such a zip alike: only regular files are written (no links, devices or folders-as-files); every path is
rebuilt from its parts with none that is empty, ``.`` or ``..``, and nothing lands outside the
student's folder; editor and system debris (``__MACOSX/``, ``._*``, dot files) is left out; a
student gets at most grader.grading.snapshot's MAX_FILES files and MAX_BYTES in all (what grading would
take of them anyway); two students whose folders would share a name (or differ only in case, which
a case-insensitive disk merges) are both left out, never merged; and ROOT must be new or empty, so
no earlier class's files mix in. Whatever goes wrong with one file (a damaged or encrypted entry, a
name the disk refuses) leaves that file out with a sentence; the import goes on.
"""

from __future__ import annotations

import io
import lzma
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.errors import GraderError
from grader.classrun.roster import readable
from grader.grading.snapshot import DEBRIS, MAX_BYTES, MAX_FILES

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Larger than any exercise file or notebook a student writes; a bigger upload is left out, with a note."""
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError,
              ValueError, UnicodeDecodeError, zlib.error, lzma.LZMAError)
"""What reading a damaged, encrypted or exotically compressed entry can raise."""


@dataclass
class Imported:
    """What an import wrote: the students' folders, and a sentence for each file left out."""

    root: Path
    students: dict[str, list[str]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    _bytes: dict[str, int] = field(default_factory=dict)

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
    path = PurePosixPath(name.replace("\\", "/"))
    parts = path.parts
    if not parts or path.is_absolute() or parts[0].startswith("/") or ":" in parts[0] \
            or any(part in ("", ".", "..") for part in parts):  # "//x" is absolute too: its first part is "//"
        return None
    return tuple(readable(part) for part in parts)


def is_debris(parts: tuple[str, ...]) -> bool:
    """macOS, Windows and editor litter: grading would leave it out too (grader.grading.snapshot)."""
    return any(part in DEBRIS or part.startswith(".") for part in parts)


def student_name(text: str) -> str:
    """A folder name for a student from LMS text: letters, digits, '-', '_', '.' and '@'; the rest becomes '_'."""
    cleaned = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in readable(text).strip())
    cleaned = cleaned.lstrip("._")[:100]  # a leading dot or underscore would make the roster take it for debris
    return cleaned or "unnamed"


def apart(owners: dict[str, str], what: str, left_out: list[str]) -> dict[str, str]:
    """``owners`` (a key -> its folder name) without the keys whose folder another key also gets, ignoring case:
    such students are both left out, with a sentence, rather than merged into one folder."""
    by_folder: dict[str, list[str]] = {}
    for key, folder in owners.items():
        by_folder.setdefault(folder.casefold(), []).append(key)
    kept = {}
    for key, folder in owners.items():
        sharing = by_folder[folder.casefold()]
        if len(sharing) > 1:
            left_out.append(f"{what} {key!r}: its folder {folder!r} would also be that of "
                            f"{', '.join(repr(other) for other in sharing if other != key)}; both are left out, "
                            "to be filed by hand")
        else:
            kept[key] = folder
    return kept


def is_regular(info: zipfile.ZipInfo) -> bool:
    """A zip entry that is a plain file: not a folder, and not a link (a Unix zip stores a link's mode)."""
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0 where the zip stored no Unix mode (Windows, Python's zipfile)
    return not info.is_dir() and kind in (0, stat.S_IFREG)


def write_file(imported: Imported, student: str, parts: tuple[str, ...], read, size: int, origin: str) -> None:
    """Write one file of ``student``'s, unless it is too large, one too many, already there or unreadable."""
    written = imported.students.get(student, [])
    used = imported._bytes.get(student, 0)
    if size > MAX_FILE_BYTES or used + size > MAX_BYTES:
        imported.left_out.append(f"{origin}: {size / 2**20:.1f} MB, more than a submission may hold "
                                 f"({MAX_FILE_BYTES // 2**20} MB a file, {MAX_BYTES // 2**20} MB in all)")
        return
    if len(written) >= MAX_FILES:
        imported.left_out.append(f"{origin}: {student} already has {MAX_FILES} files, all grading would read")
        return
    folder = imported.root / student
    target = folder.joinpath(*parts)
    if os.path.commonpath([os.path.normpath(folder), os.path.normpath(target)]) != os.path.normpath(folder):
        imported.left_out.append(f"{origin}: a name that would leave {student}'s folder")  # safe_parts' backstop
        return
    try:
        if target.exists():
            imported.left_out.append(f"{origin}: {student} already has a file {'/'.join(parts)}")
            return
        data = read()
        if len(data) > MAX_FILE_BYTES:  # a zip entry can claim one size and hold more
            imported.left_out.append(f"{origin}: more than the {MAX_FILE_BYTES // 2**20} MB a file may hold")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except UNREADABLE as error:  # damaged, encrypted, a name too long for the disk, a file where a folder goes...
        imported.left_out.append(f"{origin}: could not be written ({type(error).__name__}: {error})")
        return
    imported.students.setdefault(student, []).append("/".join(parts))
    imported._bytes[student] = used + len(data)


def write_upload(imported: Imported, student: str, parts: tuple[str, ...], read, size: int, origin: str) -> None:
    """Write one file a student uploaded; a zip they uploaded (Canvas keeps it whole) is written unpacked, in its
    place, by the same rules as the download itself: grading reads modules and notebooks, never a zip. A zip inside
    that zip is kept as it is."""
    if not parts[-1].lower().endswith(".zip"):
        write_file(imported, student, parts, read, size, origin)
        return
    if size > MAX_FILE_BYTES:
        write_file(imported, student, parts, read, size, origin)  # says it is too large
        return
    try:
        inner = zipfile.ZipFile(io.BytesIO(read()))
        entries = inner.infolist()
    except UNREADABLE as error:
        imported.left_out.append(f"{origin}: a zip that cannot be opened ({type(error).__name__})")
        return
    if len(entries) > MAX_FILES:  # grading reads at most MAX_FILES files: the rest is not looked at, nor listed
        imported.left_out.append(f"{origin}: {len(entries) - MAX_FILES} entries past the first {MAX_FILES}, the most "
                                 "grading reads")
    for info in entries[:MAX_FILES]:
        if len(imported.students.get(student, ())) >= MAX_FILES:
            imported.left_out.append(f"{origin}: the rest of the zip, past the {MAX_FILES} files grading would read")
            return
        inside = safe_parts(info.filename)
        if inside is not None and is_debris(inside):
            continue
        where = f"{origin} > {info.filename!r}"
        if inside is None or not is_regular(info):
            if not info.is_dir():
                imported.left_out.append(f"{where}: not a plain file inside the zip")
            continue
        write_file(imported, student, (*parts[:-1], *inside), lambda info=info: inner.read(info), info.file_size,
                   where)


def open_download(download: Path) -> zipfile.ZipFile:
    if not download.is_file():
        raise GraderError(f"{download} is not a file: give the .zip the LMS let you download.")
    try:
        return zipfile.ZipFile(download)
    except UNREADABLE as error:
        raise GraderError(f"{download} is not a zip file this can read ({type(error).__name__}): give the .zip the "
                          "LMS let you download, as it is.") from None
