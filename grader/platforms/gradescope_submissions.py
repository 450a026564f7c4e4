"""Gradescope's "Export Submissions" zip into the class layout (``grader import gradescope``).

The export holds a folder ``submission_<id>/`` per submission, with the files as the student uploaded
them, and ``submission_metadata.yml``, which maps each folder to its ``:submitters:`` (``:name:``,
``:sid:``, ``:email:``), the way otter-grader's GradescopeParser reads it. Only the active submission
of each student is in the export. Each submitter gets the submission's files in ROOT/<sid>/ (or their whole
email, or the folder's name, when Gradescope has no student ID): a group submission is every
member's, and two submitters who would share a folder (the same ID twice, or IDs differing only in case)
are both left out, to be filed by hand. The metadata is read with yaml.BaseLoader: every value is text as
written, never an object, and a list where an ID belongs (an alias bomb's) is no ID.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import yaml

from grader.errors import GraderError
from grader.platforms.unpack import (UNREADABLE, Imported, apart, is_debris, is_regular, new_root, open_download,
                                    safe_parts, student_name, write_upload)

METADATA = "submission_metadata.yml"


MAX_METADATA_BYTES = 16 * 2**20


def _text(value) -> str:
    """A metadata field as text: only a scalar counts (a list or mapping, say an alias bomb's, is no ID)."""
    return value.strip() if isinstance(value, str) else ""


def _submitters(entry, folder: str) -> list[str]:
    """The folder names of a submission's students: their student ID, else their whole email, else the folder's."""
    people = entry.get(":submitters") if isinstance(entry, dict) else None
    names = []
    for person in people if isinstance(people, list) else []:
        if isinstance(person, dict):
            names.append(student_name(_text(person.get(":sid")) or _text(person.get(":email")) or folder))
    return names or [student_name(folder)]


def import_submissions(download: Path, root: Path) -> Imported:
    """Write Gradescope's submissions export into ``root``, one folder per student."""
    imported = Imported(root)
    with open_download(download) as archive:
        infos = archive.infolist()
        metadata_entries = sorted((info for info in infos if PurePosixPath(info.filename).name == METADATA),
                                  key=lambda info: info.filename.count("/"))
        if not metadata_entries:
            raise GraderError(f"{download} has no {METADATA}: give the zip of Gradescope's Export Submissions "
                              "(Review Grades, Export Submissions), as it is.")
        base = PurePosixPath(metadata_entries[0].filename).parent
        if metadata_entries[0].file_size > MAX_METADATA_BYTES:
            raise GraderError(f"{METADATA} in {download} is larger than any class's ({MAX_METADATA_BYTES // 2**20} MB).")
        try:  # BaseLoader: every value is text as written (an ID 0123 stays "0123"), nothing is built from tags
            metadata = yaml.load(archive.read(metadata_entries[0]), Loader=yaml.BaseLoader)
        except (yaml.YAMLError, *UNREADABLE) as error:
            raise GraderError(f"{METADATA} in {download} is not YAML Gradescope wrote: {error}") from None
        if not isinstance(metadata, dict):
            raise GraderError(f"{METADATA} in {download} does not map submission folders to their submitters.")
        new_root(root)
        people = {(str(folder), index): name for folder, entry in metadata.items()
                  for index, name in enumerate(_submitters(entry, str(folder)))}
        kept = apart({f"{folder}#{index}": name for (folder, index), name in people.items()}, "submitter",
                     imported.left_out)
        owners: dict[str, list[str]] = {str(folder): [] for folder in metadata}
        for (folder, index), name in people.items():
            if f"{folder}#{index}" in kept:
                owners[folder].append(name)
        for info in infos:
            if info.is_dir() or info is metadata_entries[0]:
                continue
            try:
                relative = PurePosixPath(info.filename).relative_to(base)
            except ValueError:
                imported.left_out.append(f"{info.filename!r}: outside the export's folder")
                continue
            parts = safe_parts(str(relative))
            if parts is not None and is_debris(parts):
                continue  # __MACOSX/._x, .DS_Store: never the student's work
            if parts is None or not is_regular(info) or len(parts) < 2:
                imported.left_out.append(f"{info.filename!r}: not a plain file of a submission folder")
                continue
            if parts[0] not in owners:
                imported.left_out.append(f"{info.filename!r}: its folder is not in {METADATA}")
                continue
            for student in owners[parts[0]]:  # a group's submission is each member's
                write_upload(imported, student, parts[1:], lambda info=info: archive.read(info), info.file_size,
                           repr(info.filename))
    return imported
