# The two set-up commands of the README: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EVAL_DEV ?= ../shared/eval-dev

.PHONY: demo test test-fast lint eval bench install clean-index

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/casebot index update
	$(VENV)/bin/casebot ask "What share of dermatomyositis patients develop calcinosis cutis?"

test: lint
	$(PY) -m pytest -q

# The quick tier: everything that does not need the real embedding model (a
# deterministic hashing embedder stands in where the model's judgement is not tested).
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not model"

lint: $(STAMP)
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/ruff format --check bot tests bench
	$(VENV)/bin/mypy

# Answer quality on every development set (bench/data and ../shared/eval-dev).
eval: $(STAMP)
	$(PY) bench/quality.py --eval-dev $(EVAL_DEV) --misses

bench: $(STAMP)
	$(PY) bench/latency.py
	$(PY) bench/incremental.py
	$(PY) bench/cold_ask.py
	$(PY) bench/scale.py

clean-index:
	rm -rf index/gen-* index/.tmp-* index/CURRENT index/.lock
