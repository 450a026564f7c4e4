"""What student code may import besides the standard library: NumPy, and nothing else of the kit's environment.

Sandboxed, these folders are the only ones mounted at /packages (grader.sandbox.bwrap). Without
the sandbox (a student's own machine), the worker's path gets a private folder of links to them,
so that a library the exercises forbid fails to import there too, and verdicts agree.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

ALLOWED = ("numpy",)
SANDBOX_PACKAGES = "/packages"


@lru_cache(maxsize=1)
def allowed_packages() -> dict[str, Path]:
    """Folder name -> folder, for each allowed package and its wheel's bundled libraries (numpy.libs)."""
    found = {}
    for name in ALLOWED:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations))).resolve()
        found[name] = folder
        libs = folder.parent / f"{name}.libs"
        if libs.is_dir():
            found[libs.name] = libs.resolve()
    return found


@lru_cache(maxsize=1)
def linked_packages() -> Path:
    """A folder (made once per process) of links to the allowed packages: the unsandboxed worker's path."""
    folder = Path(tempfile.mkdtemp(prefix="grader-packages-"))
    os.chmod(folder, 0o755)  # links to public package folders: a worker running as another user reads them
    atexit.register(shutil.rmtree, folder, True)
    for name, source in allowed_packages().items():
        (folder / name).symlink_to(source, target_is_directory=True)
    return folder
