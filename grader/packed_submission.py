"""A submission as plain data (its files' names and bytes), to grade it on another machine.

The instructor's machine packs each submission; a Dask worker unpacks it into a private
temporary folder and grades it there, sandboxed like any other.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.errors import SubmissionError
from grader.fingerprint import submission_files

MAX_BYTES = 64 * 2**20


@dataclass(frozen=True)
class PackedSubmission:
    name: str
    """The submission's folder name, or the notebook's file name."""
    is_notebook_file: bool
    files: tuple[tuple[str, bytes], ...]


def pack(path: Path) -> PackedSubmission:
    """Read a submission's files; a submission over 64 MiB is refused with a sentence saying so."""
    files, total = [], 0
    for file in submission_files(path):
        data = file.read_bytes()
        total += len(data)
        if total > MAX_BYTES:
            raise SubmissionError(f"{path} holds more than {MAX_BYTES // 2**20} MiB of files; "
                                  "remove data files the exercises do not need.")
        files.append((file.name if path.is_file() else file.relative_to(path).as_posix(), data))
    return PackedSubmission(path.name, path.is_file(), tuple(files))


@contextmanager
def unpacked(packed: PackedSubmission) -> Iterator[Path]:
    """The submission written out into a new temporary folder (removed afterwards); yields its path."""
    with tempfile.TemporaryDirectory(prefix="grader-shipped-") as scratch:
        root = Path(scratch) / (Path(packed.name).stem if packed.is_notebook_file else packed.name)
        root.mkdir()
        for name, data in packed.files:
            relative = PurePosixPath(name)
            if relative.is_absolute() or ".." in relative.parts:
                raise SubmissionError(f"a file name in the submission leaves its folder: {name}")
            target = root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        yield root / packed.name if packed.is_notebook_file else root
