# The two commands of the README: `make demo` (set up, grade the example class) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup demo test test-fast bench bench-class clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap; } || \
		echo "warning: could not install bubblewrap (needs root and apt-get): student code will not be sandboxed"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	rm -rf out/example_class out/grades
	$(BIN)/python scripts/make_example_class.py out/example_class
	$(BIN)/grader grade out/example_class --out out/grades
	cat out/grades/grades.csv

test: setup
	$(BIN)/pytest -m "slow or not slow"

test-fast: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/python benchmarks/bench_grading.py

bench-class: setup
	$(BIN)/python benchmarks/class_throughput.py --n 100

clean:
	rm -rf out build *.egg-info .pytest_cache
