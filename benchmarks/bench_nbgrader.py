"""nbgrader autograde of N reference notebooks beside `grader grade` and `grader check` of the same notebooks.

Usage: python benchmarks/bench_nbgrader.py [--notebooks 10]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.course import DEFAULT_COURSE, load_course
from grader.jupyter.course_folder import build_course_folder

BIN = Path(sys.executable).parent


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=10)
    n = parser.parse_args().notebooks
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_course_folder(load_course(), DEFAULT_COURSE, root / "course")
        env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")  # nbgrader runs alembic by name
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            (root / "home" / name).mkdir(parents=True)
            env[name] = str(root / "home" / name)
        nbgrader = [str(BIN / "nbgrader")]
        timed([*nbgrader, "generate_assignment", "forward_pass"], cwd=root / "course", env=env)
        source = root / "course" / "source" / "forward_pass" / "forward_pass.ipynb"
        for index in range(n):
            target = root / "course" / "submitted" / f"student{index:03d}" / "forward_pass"
            target.mkdir(parents=True)
            shutil.copy(source, target / "forward_pass.ipynb")
        autograde = timed([*nbgrader, "autograde", "forward_pass"], cwd=root / "course", env=env)
        grade = timed([str(BIN / "grader"), "grade", str(root / "course" / "submitted"), "--out", str(root / "out"),
                       "--jobs", "1"])
        check = timed([str(BIN / "grader"), "check", str(source), "--json"])
    print(f"nbgrader autograde, {n} notebooks (one process): {autograde:6.1f} s  ({autograde / n:.2f} s per notebook)")
    print(f"grader grade --jobs 1, the same notebooks:      {grade:6.1f} s  ({grade / n:.2f} s per notebook)")
    print(f"grader check of one notebook:                   {check:6.2f} s")


if __name__ == "__main__":
    main()
