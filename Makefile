# cockpit: the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install demo test bench lock servers clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cockpit --demo

servers:
	@bash scripts/install-servers.sh

test: $(TEST_STAMP) servers
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

bench: $(TEST_STAMP) servers
	$(BIN)/python -m bench

lock: $(BIN)/python
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^cockpit' > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info
