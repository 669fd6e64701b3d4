# The README's commands. `make demo` and `make test` work on a fresh machine: they create the
# virtualenv, install the build and test tools from PyPI, and build what they need.

VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
CARGO ?= cargo

.PHONY: demo test test-rust test-python develop lint fmt stubtest wheel build-prod bench clean soak fuzz

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

# Fault soak (docs/reliability.md): 10,000 routed calls, sync and async, plain and streamed,
# through a Vercel- and an OpenRouter-flavour LocalGateway with ~25 % injected faults; prints the
# table and fails on a lost, duplicated, panicked or hung call. SOAK_ARGS=--requests 2000 etc.
soak: develop
	$(PY) benches/soak.py $(SOAK_ARGS)

# Fuzzing with cargo-fuzz (docs/reliability.md): every target in fuzz/ for FUZZ_SECONDS, corpus
# seeded from tests/fixtures and the embedded catalogs. Needs a nightly toolchain (rustup) and
# cargo-fuzz (installed when missing). No sanitizer by default (safe Rust: the finds are panics,
# timeouts and memory blow-ups); FUZZ_SANITIZER=address to add ASan. Builds in fuzz/target.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?= sse jwt model_map translate config cassette catalog error_envelope
FUZZ_TOOLCHAIN ?= nightly
FUZZ_SANITIZER ?= none
FUZZ_FLAGS = +$(FUZZ_TOOLCHAIN) fuzz
FUZZ_BUILD = -O -a -s $(FUZZ_SANITIZER)
fuzz: $(VENV)/.ready
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	$(PY) fuzz/seed_corpus.py
	cd fuzz && $(CARGO) $(FUZZ_FLAGS) build $(FUZZ_BUILD)
	cd fuzz && for target in $(FUZZ_TARGETS); do \
		$(CARGO) $(FUZZ_FLAGS) run $(FUZZ_BUILD) $$target corpus/$$target -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 || exit 1; \
	done

clean:
	rm -rf $(VENV) dist target
