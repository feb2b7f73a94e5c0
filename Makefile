# The README's two commands: `make run` and `make test`. Everything else is what they use;
# `make check` is the fast part of `make test`, for the edit loop.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: help run test check setup train eval quick-eval bench lock clean agent export-examples report

help:
	@echo "make run    set everything up, then serve the assistant on http://127.0.0.1:$${PORT:-8000}/"
	@echo "make test   set everything up, then run every test (exit 0 only if all pass)"
	@echo "make check  lint (ruff), type check of bot/ (mypy) and the unit tests: about a minute, no model"
	@echo "make train  train the model if config, domain or data changed"
	@echo "make eval   the NLU scores on the own, blind and real questions (trains; about 8 minutes)"
	@echo "make quick-eval   the same scores in about 4 minutes, to try a change (results/eval/quick/)"
	@echo "make lock   regenerate constraints.txt (the pinned dependency tree)"
	@echo "make report [DAYS=7] [OUT=results/report]   insights table and charts (SVG) of the last DAYS days"
	@echo "make export-examples   reviewed questions -> data/nlu/reviewed_en.yml, reviewed_fr.yml"

# The virtual environment, installed from the lock file. Reinstalled when the lock changes.
$(VENV)/.installed: constraints.txt pyproject.toml
	@py=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV); fi
	$(PY) -m pip install --upgrade "pip==24.0"
	@echo "Installing dependencies (about 3 minutes the first time)..."
	$(PY) -m pip install -c constraints.txt -e ".[test]"
	@touch $@

setup: $(VENV)/.installed
	scripts/build-web
	$(PY) -m bot.ops.cli setup

train: setup
	$(PY) -m bot.ops.cli train

run: setup
	$(PY) -m bot.ops.cli serve

# The unit tests need no trained model and run in 2 processes (pytest-xdist); `make test` runs
# them here, then everything else.
check: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n 2 tests/unit

test: setup check
	$(PY) -m pytest --ignore=tests/unit --durations=15

# Creates an agent account, or resets its password: AGENT_PASSWORD=... make agent USER=name
agent: $(VENV)/.installed
	@if [ "$(origin USER)" != "command line" ]; then echo "Usage: AGENT_PASSWORD=... make agent USER=name" >&2; exit 2; fi
	@$(PY) -m bot.ops.cli agent "$(USER)"

# Regenerates constraints.txt from a clean environment with the direct dependencies only.
lock:
	@py=$$(scripts/find-python) || exit 1; rm -rf .lock-venv && "$$py" -m venv .lock-venv
	.lock-venv/bin/python -m pip install --upgrade "pip==24.0"
	.lock-venv/bin/python -m pip install ".[test]"
	.lock-venv/bin/python -m pip freeze --exclude trusted-trader-assistant > constraints.txt
	rm -rf .lock-venv build *.egg-info
	@echo "constraints.txt regenerated: review and commit it."

clean:
	rm -rf $(VENV) models var .pytest_cache .mypy_cache .ruff_cache .hypothesis results endpoints.yml

# Scores the NLU on the own, blind and real test questions side by side (per language, per
# topic); CV=1 adds 3-fold cross-validation on the training data (three more trainings).
eval: setup
	$(PY) -m bot.ops.evaluation $(if $(filter 1,$(CV)),--cross-validation)

# The same NLU scores in about 4 minutes, for trying a change (no dialogue, no model file; the
# embeddings kept in results/eval/embeddings.npz): confirm with make eval before reporting.
quick-eval: setup
	$(PY) -m bot.ops.quick_eval

# Latency, throughput and memory through the gateway (numbers, not pass/fail): docs/benchmarks.md
bench: setup
	$(PY) -m bot.ops.bench

# The insights of the last DAYS days (default 7) as a table, and each chart as an SVG file
# with its data as CSV in OUT (default results/report/).
report: $(VENV)/.installed
	$(PY) -m bot.ops.cli report --days $(or $(DAYS),7) $(if $(OUT),--out "$(OUT)")

# The questions agents reviewed on the console's Review page, as NLU training examples in
# data/nlu/reviewed_en.yml and reviewed_fr.yml (without duplicates); then `make train`.
export-examples: $(VENV)/.installed
	$(PY) -m bot.ops.cli export-examples
