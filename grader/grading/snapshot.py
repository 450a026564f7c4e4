"""A submission as its files' names and bytes: read once, safely, then graded, hashed and shipped from there.

Reading never follows a link and never opens anything but a regular file: a link (to another
student's notebook, the instructor's files, /proc/self/environ), a FIFO, a device or a socket is
left out and named among the ``ignored``, so no other file's content is ever graded, hashed or
sent on a submission's behalf. Dot-files and dot-folders (``.ipynb_checkpoints``, macOS ``._*``,
``.git``) and other editor or OS debris (``__MACOSX``, ``__pycache__``, ``Thumbs.db``) are left
out the same way everywhere: locally, under Dask and in the hash that decides "unchanged".
Grading then runs on a private copy written from the snapshot (``written``), never on the
student's folder itself.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.errors import SubmissionError

MAX_BYTES = 64 * 2**20
MAX_FILES = 2000
MAX_DEPTH = 8
DEBRIS = frozenset({"__MACOSX", "__pycache__", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Snapshot:
    """One submission's files, as read from its folder (or its one notebook file)."""

    name: str
    """The student: the folder's name, or the notebook's name without .ipynb."""
    is_notebook_file: bool
    files: tuple[tuple[str, bytes], ...]
    """(path relative to the submission, with /; its bytes), sorted by path."""
    ignored: tuple[str, ...] = ()
    """What was left out and why, one sentence each (links, special files, unreadable files)."""

    def digest(self) -> str:
        """A hash of the file names and contents: equal exactly when the graded files are equal."""
        digest = hashlib.sha256(b"notebook file" if self.is_notebook_file else b"folder")
        for name, data in self.files:
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0")
            digest.update(data)
        return digest.hexdigest()


def take(path: Path, max_bytes: int = MAX_BYTES) -> Snapshot:
    """Read the submission at ``path``; a link or special file there, or one over the size limits, is refused."""
    path = Path(path)
    name = path.stem if path.suffix == ".ipynb" else path.name
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise SubmissionError(f"{_shown(str(path))} is not a folder or a notebook (nothing is there): give the folder "
                              "that holds your .py files (e.g. exercises/) or your .ipynb file.") from None
    except OSError as error:
        raise SubmissionError(f"{_shown(path.name)} cannot be read ({error.strerror}).") from None
    if stat.S_ISLNK(mode):
        raise SubmissionError(f"{_shown(path.name)} is a link, not the submission itself: hand in the files, not a "
                              "link to them.")
    files: list[tuple[str, bytes]] = []
    ignored: list[str] = []
    if stat.S_ISREG(mode) and path.suffix == ".ipynb":
        data = _read_regular(path, max_bytes, path.name, ignored)
        if data is None:
            raise SubmissionError(ignored[0])
        return Snapshot(name, True, ((path.name, data),))
    if not stat.S_ISDIR(mode):
        raise SubmissionError(f"{_shown(path.name)} is neither a folder nor a notebook (.ipynb).")
    _walk(path, PurePosixPath(), files, ignored, [max_bytes], 0)
    return Snapshot(name, False, tuple(sorted(files)), tuple(ignored))


def _walk(folder: Path, relative: PurePosixPath, files: list, ignored: list, budget: list[int], depth: int) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        ignored.append(f"{_shown(str(relative) or '.')} could not be listed ({error.strerror}).")
        return
    for entry in entries:
        where = relative / entry.name
        if entry.name.startswith(".") or entry.name in DEBRIS:
            continue
        if entry.is_symlink():
            ignored.append(f"{_shown(str(where))} is a link: only files themselves are graded.")
        elif entry.is_dir(follow_symlinks=False):
            if depth + 1 >= MAX_DEPTH:
                ignored.append(f"{_shown(str(where))} is more than {MAX_DEPTH} folders deep.")
            else:
                _walk(Path(entry.path), where, files, ignored, budget, depth + 1)
        else:
            data = _read_regular(Path(entry.path), budget[0], str(where), ignored)
            if data is not None:
                if len(files) >= MAX_FILES:
                    raise SubmissionError(f"The submission holds more than {MAX_FILES} files: hand in just your "
                                          "exercise files (or your notebook).")
                budget[0] -= len(data)
                files.append((str(where), data))


def _read_regular(path: Path, budget: int, shown: str, ignored: list[str]) -> bytes | None:
    """The bytes of a regular file, opened without following links or blocking; None (and why) otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        ignored.append(f"{_shown(shown)} could not be read ({error.strerror}).")
        return None
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            ignored.append(f"{_shown(shown)} is not a regular file (a device, pipe or socket).")
            return None
        data = stream.read(budget + 1)
    if len(data) > budget:
        raise SubmissionError(f"The submission holds more than {MAX_BYTES // 2**20} MiB of files; remove data files "
                              "the exercises do not need.")
    return data


def _shown(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (a Windows zip's names) shown escaped."""
    return repr(name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))[1:-1]


@contextmanager
def written(snapshot: Snapshot, owner: tuple[int, int] | None = None) -> Iterator[Path]:
    """The snapshot written into a new private folder (removed afterwards); yields the folder or the notebook.
    With ``owner`` (uid, gid), the copy is that user's: the folder around it can be passed through, not listed."""
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as scratch:
        root = Path(scratch) / ("submission" if snapshot.is_notebook_file else _safe_name(snapshot.name))
        root.mkdir()
        for name, data in snapshot.files:
            relative = PurePosixPath(name)
            if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                raise SubmissionError(f"a file name in the submission leaves its folder: {_shown(name)}")
            target = root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if owner is not None:
            os.chmod(scratch, 0o711)
            for path in (root, *root.rglob("*")):
                os.chown(path, *owner, follow_symlinks=False)
        yield root / snapshot.files[0][0] if snapshot.is_notebook_file else root


def _safe_name(name: str) -> str:
    return name if name and name not in (".", "..") and "/" not in name else "submission"
