"""Reading a submission: only its own regular files, never through a link, debris left out, limits kept."""

from __future__ import annotations

import os

import pytest

from grader.errors import SubmissionError
from grader.grading.snapshot import Snapshot, take, written


def test_the_snapshot_holds_the_files_and_writes_back_the_same(tmp_path):
    folder = tmp_path / "alice"
    (folder / "sub").mkdir(parents=True)
    (folder / "softmax.py").write_text("x = 1\n")
    (folder / "sub" / "notes.txt").write_bytes(b"\xff\x00")
    snapshot = take(folder)
    assert snapshot.name == "alice" and not snapshot.is_notebook_file and snapshot.ignored == ()
    assert dict(snapshot.files) == {"softmax.py": b"x = 1\n", "sub/notes.txt": b"\xff\x00"}
    with written(snapshot) as copy:
        assert {p.relative_to(copy).as_posix(): p.read_bytes() for p in copy.rglob("*") if p.is_file()} == \
            dict(snapshot.files)
    assert not copy.exists()


def test_links_and_special_files_are_never_read_and_are_named(tmp_path):
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "forward_pass.ipynb").write_text("bob's notebook")
    (tmp_path / "secret.txt").write_text("the instructor's")
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    (mallory / "forward_pass.ipynb").symlink_to("../bob/forward_pass.ipynb")
    (mallory / "softmax.py").symlink_to(tmp_path / "secret.txt")
    (mallory / "environ").symlink_to("/proc/self/environ")
    (mallory / "lib").symlink_to(tmp_path / "bob", target_is_directory=True)
    os.mkfifo(mallory / "pipe")
    snapshot = take(mallory)
    assert snapshot.files == ()
    assert len(snapshot.ignored) == 5
    assert sum("is a link" in why for why in snapshot.ignored) == 4 and any("pipe" in why for why in snapshot.ignored)
    assert all("bob's" not in why and "instructor" not in why for why in snapshot.ignored)


def test_a_submission_that_is_itself_a_link_is_refused(tmp_path):
    (tmp_path / "bob").mkdir()
    (tmp_path / "mallory").symlink_to(tmp_path / "bob", target_is_directory=True)
    (tmp_path / "eve.ipynb").symlink_to(tmp_path / "bob")
    for name in ("mallory", "eve.ipynb"):
        with pytest.raises(SubmissionError, match="is a link"):
            take(tmp_path / name)


def test_debris_and_dot_files_are_left_out_everywhere(tmp_path):
    folder = tmp_path / "zoe"
    for name in (".ipynb_checkpoints/forward_pass-checkpoint.ipynb", "__MACOSX/._forward_pass.ipynb",
                 "._forward_pass.ipynb", ".lib/helper.py", "__pycache__/softmax.cpython-311.pyc", "Thumbs.db"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("debris")
    (folder / "forward_pass.ipynb").write_text("{}")
    assert [name for name, _ in take(folder).files] == ["forward_pass.ipynb"]


def test_names_that_are_not_utf8_are_kept_and_shown_escaped(tmp_path):
    folder = tmp_path / "windows"
    folder.mkdir()
    (folder / os.fsdecode(b"notes\xe4.txt")).write_text("x")
    snapshot = take(folder)
    with written(snapshot) as copy:
        assert os.listdir(os.fsencode(copy)) == [b"notes\xe4.txt"]
    assert len(snapshot.digest()) == 64


def test_size_and_count_limits_are_sentences(tmp_path):
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "data.bin").write_bytes(b"0" * 2048)
    with pytest.raises(SubmissionError, match="MiB of files"):
        take(folder, max_bytes=1024)


def test_the_digest_changes_with_any_graded_file_and_only_then(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "softmax.py").write_text("x = 1\n")
    first = take(folder).digest()
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "x.py").write_text("y")
    assert take(folder).digest() == first
    (folder / "softmax.py").write_text("x = 2\n")
    assert take(folder).digest() != first


def test_a_written_snapshot_never_writes_outside_its_folder(tmp_path):
    with pytest.raises(SubmissionError, match="leaves its folder"):
        with written(Snapshot("evil", False, (("../outside.py", b"x = 1\n"),))):
            pass
    assert not (tmp_path / "outside.py").exists()
