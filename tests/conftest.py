"""Shared fixtures: the course, and Jupyter/Keras homes kept out of the real home folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from grader.course import Course, load_course  # noqa: E402

PROJECT = Path(__file__).parents[1]


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course()


@pytest.fixture(autouse=True)
def no_keras_cache(tmp_path_factory, monkeypatch):
    """Tests never see a real ~/.keras cache unless they put one there themselves."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
    monkeypatch.delenv("GRADER_MNIST", raising=False)
