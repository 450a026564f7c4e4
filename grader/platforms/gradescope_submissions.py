"""Gradescope's "Export Submissions" zip into the class layout (``grader import gradescope``).

The export holds a folder ``submission_<id>/`` per submission, with the files as the student uploaded
them, and ``submission_metadata.yml``, which maps each folder to its ``:submitters:`` (``:name:``,
``:sid:``, ``:email:``), the way otter-grader's GradescopeParser reads it. Only the active submission
of each student is in the export. Each submitter gets the submission's files in ROOT/<sid>/ (or their
email's name, or the folder's, when Gradescope has no student ID): a group submission is every
member's. The metadata is read with yaml.safe_load: it is data, never objects.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import yaml

from grader.errors import GraderError
from grader.platforms.unpack import Imported, is_regular, new_root, open_download, safe_parts, student_name, write_file

METADATA = "submission_metadata.yml"


def _submitters(entry, folder: str) -> list[str]:
    """The folder names of a submission's students."""
    people = entry.get(":submitters") if isinstance(entry, dict) else None
    names = []
    for person in people if isinstance(people, list) else []:
        if not isinstance(person, dict):
            continue
        sid, email = str(person.get(":sid") or "").strip(), str(person.get(":email") or "").strip()
        names.append(student_name(sid or email.split("@")[0] or folder))
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
        try:
            metadata = yaml.safe_load(archive.read(metadata_entries[0]))
        except yaml.YAMLError as error:
            raise GraderError(f"{METADATA} in {download} is not YAML Gradescope wrote: {error}") from None
        if not isinstance(metadata, dict):
            raise GraderError(f"{METADATA} in {download} does not map submission folders to their submitters.")
        new_root(root)
        owners = {str(folder): _submitters(entry, str(folder)) for folder, entry in metadata.items()}
        for info in infos:
            if info.is_dir() or info is metadata_entries[0]:
                continue
            try:
                relative = PurePosixPath(info.filename).relative_to(base)
            except ValueError:
                imported.left_out.append(f"{info.filename!r}: outside the export's folder")
                continue
            parts = safe_parts(str(relative))
            if parts is None or not is_regular(info) or len(parts) < 2:
                imported.left_out.append(f"{info.filename!r}: not a plain file of a submission folder")
                continue
            if parts[0] not in owners:
                imported.left_out.append(f"{info.filename!r}: its folder is not in {METADATA}")
                continue
            for student in owners[parts[0]]:
                write_file(imported, student, parts[1:], lambda info=info: archive.read(info), info.file_size,
                           repr(info.filename))
    return imported
