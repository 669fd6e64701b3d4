# The README's commands. `make demo` and `make test` work on a fresh machine: they create the
# virtualenv, install the build and test tools from PyPI, and build what they need.

VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
CARGO ?= cargo

.PHONY: demo test test-rust test-python develop lint fmt stubtest wheel build-prod bench clean

$(VENV)/.ready: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "maturin>=1.16,<2"
	touch $@

# Debug build of the extension, installed editable with the dev extra (pytest, mypy, ruff).
develop: $(VENV)/.ready
	$(VENV)/bin/maturin develop -q -E dev

demo: develop
	$(PY) examples/quickstart.py

test: test-rust test-python

test-rust:
	$(CARGO) test --all-targets

test-python: develop
	$(PY) -m pytest -q
	$(PY) -m mypy.stubtest vercel_ai_gateway --allowlist stubtest-allowlist.txt
	$(PY) -m mypy --strict python/vercel_ai_gateway examples

lint: develop
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings
	$(CARGO) clippy --all-targets --features python -- -D warnings
	$(VENV)/bin/ruff check python tests examples
	$(VENV)/bin/ruff format --check python tests examples

fmt: $(VENV)/.ready
	$(CARGO) fmt
	$(VENV)/bin/ruff format python tests examples

# Release build installed into the virtualenv (for benchmarks).
build-prod: $(VENV)/.ready
	$(VENV)/bin/maturin develop -q --release -E dev

# CPU per request and per streamed chunk against plain reqwest, openai-python and httpx, in one
# run (docs/benchmarks.md). Release builds only: the extension with the bench extra (the peers),
# then benches/run.py builds the plain-reqwest peer. BENCH_ARGS=--quick for a smoke run.
bench: $(VENV)/.ready
	$(VENV)/bin/maturin develop -q --release -E bench
	$(PY) benches/run.py $(BENCH_ARGS)

# A release abi3 wheel for x86_64 Linux tagged manylinux_2_28 (zig as the linker, so it does not
# depend on this machine's glibc), checked with auditwheel: what Vercel's Python runtime installs.
wheel: $(VENV)/.ready
	$(PY) -m pip install -q ziglang auditwheel
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/maturin build --release --zig --compatibility manylinux_2_28 --out dist
	$(VENV)/bin/auditwheel show dist/vercel_ai_gateway-*manylinux_2_28*.whl

clean:
	rm -rf $(VENV) dist target
