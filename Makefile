# The two commands the README promises: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint typecheck browser-deps clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed (looked for $(PY))"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# gunicorn, as in production, with the Procfile's access log (method, status, time): Flask's development
# server would print client addresses and paths, and chat and console paths carry session ids and references.
run: $(STAMP)
	$(BIN)/flask --app bot intake init-db
	@echo "Serving on http://127.0.0.1:5000 (Ctrl-C stops it)"
	$(BIN)/gunicorn --config python:bot.gunicorn_config --workers 2 --bind 127.0.0.1:5000 --access-logfile - \
		--access-logformat '%(m)s %(s)s %(L)ss' "bot:create_app()"

# Chromium for the browser tests comes from Debian; axe-core from npm; each installed once, only if missing.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing chromium and chromium-driver (Debian) for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else \
			echo "chromium/chromedriver missing and cannot be installed here: browser tests will skip"; \
		fi; \
	fi
	@# axe-core (npm, pinned in package-lock.json) for the accessibility check; only when missing.
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then \
		if command -v npm >/dev/null 2>&1; then \
			echo "Installing axe-core from npm (npm ci) for the accessibility tests"; \
			npm ci --no-audit --no-fund --loglevel=error \
				|| echo "npm ci failed: the accessibility tests will skip"; \
		else \
			echo "npm missing: the accessibility tests will skip (install Node.js and npm to run them)"; \
		fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check bot intake tests bench
	$(BIN)/mypy

test: $(STAMP) browser-deps lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
