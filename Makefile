# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cascadeflow simulate --trace gsm8k --online --target-quality 0.95
	$(BIN)/cascadeflow simulate --trace gsm8k --calibrate --target-quality 0.95

lint: $(STAMP)
	$(BIN)/lint-imports --config importlinter.ini

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
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
