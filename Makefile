# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The citizens' page is tested in a real browser: Debian's Chromium.
CHROMIUM := /usr/bin/chromium
# The public front (deploy/front.py): Debian's nginx, in front of the gateway.
NGINX := /usr/sbin/nginx
# Case materials are typed by their content: libmagic (python-magic).
LIBMAGIC := /usr/lib/x86_64-linux-gnu/libmagic.so.1
# The PDF bulletin is in Chinese: a font with CJK glyphs (Debian's WenQuanYi Zen Hei).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc

.PHONY: install run test test-services test-platform test-cluster lint bench topology migrate parked clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) $(NGINX) $(CJK_FONT) $(LIBMAGIC)

$(NGINX):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light

$(LIBMAGIC):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmagic1

$(CJK_FONT):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-zenhei

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

run: install
	$(PY) -m deploy.local

# The suite in two halves at once, each its own pytest with its own stacks (two
# cores; a running stack spends much of its time waiting on its services), each
# half's output shown whole when it ends (make -O); then the fault tests by
# themselves (they time stops and restarts, and one stops the machine's broker).
# First, the tests that must have the broker to themselves (tests/alone: the
# quorum move declares ~300 quorum queues, and the broker stalled for ~50 s
# while any other stack was running). Every part runs; make test fails if any
# part failed.
test: install $(CHROMIUM)
	$(PY) -m pytest tests/alone; status=$$?; \
	$(MAKE) --no-print-directory -k -j2 -O test-services test-platform || status=1; \
	$(PY) -m pytest tests/faults || status=1; exit $$status

# The halves: the integration and security tests; and the rest but the fault
# tests (unit and end-to-end tests, and any new folder).
APART := tests/alone tests/integration tests/security tests/faults
test-services:
	$(PY) -m pytest $(APART:%=--ignore=%)

test-platform:
	$(PY) -m pytest tests/integration tests/security

# Opt-in (~3 min): a three-node RabbitMQ cluster beside the system broker, a node killed -9.
test-cluster: install
	$(PY) -m pytest -s -m cluster tests/faults/test_cluster.py

lint: install
	$(PY) -m ruff check core services deploy bench tests

migrate: install
	$(PY) -m deploy.migrate

topology: install
	$(PY) -m deploy.topology

bench: install
	$(PY) -m bench

parked: install
	$(PY) -m deploy.parked list

clean:
	rm -rf var
