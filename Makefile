# The two commands of the README: `make demo` (set up, grade the example class) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup demo test test-fast bench bench-class clean

setup: $(VENV)/.installed

# System packages a fresh Debian/Ubuntu lacks: bubblewrap (the sandbox) and python3-venv (Debian's
# python3 has no ensurepip without it), installed with apt where they are missing and we are root.
$(VENV)/.installed: pyproject.toml
	@missing=""; command -v bwrap >/dev/null || missing="bubblewrap"; \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "installing with apt:$$missing"; \
		{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } || \
		echo "warning: could not install$$missing (needs root and apt-get); without bubblewrap student code is not sandboxed"; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	rm -rf out/example_class out/grades
	$(BIN)/grader secret init  # the course secret, once: the grade-time inputs (kept while current)
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
