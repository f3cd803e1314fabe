# The two set-up commands of the README, and the pieces they are made of.
#   make demo   venv + java build, then the main job
#   make test   venv + java build, then the whole suite (parity tests against real DL4J included; it also
#               builds the wheel and checks it in a fresh venv outside the clone: tests/packaging/)
#   make dist   the sdist and the wheel (with the Java facade and DL4J's jar list from java/target) in dist/
PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
JAR    := java/target/pydl4j-transfer-java.jar
STAMP  := $(VENV)/.installed
JAVA_SOURCES := $(shell find java/src -name '*.java' 2>/dev/null)

.PHONY: demo test venv java dist fixtures keras-fixtures keras-report bench bench-distributed clean fuzz kill-writes

demo: $(STAMP) $(JAR)
	$(VPY) examples/demo.py

# ruff (configured in pyproject.toml) first; PYDL4J_TRANSFER_REQUIRE_JVM=1: a missing JVM fails the parity tests instead of skipping them.
test: $(STAMP) $(JAR)
	$(VPY) -m ruff check --quiet .
	PYDL4J_TRANSFER_REQUIRE_JVM=1 $(VPY) -m pytest $(PYTEST_ARGS)

venv: $(STAMP)
$(STAMP): pyproject.toml constraints.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --constraint constraints.txt --editable '.[dl4j,test,demo]'
	touch $@

java: $(JAR)
$(JAR): java/pom.xml $(JAVA_SOURCES)
	cd java && mvn --batch-mode --quiet package
	touch $@

# setup.py takes the facade jar and java/target/dependencies.txt (Maven's resolution of java/pom.xml) from
# java/target, so the jar rule comes first; no build isolation: the venv's setuptools, nothing downloaded.
dist: $(STAMP) $(JAR)
	rm -rf dist
	$(VPY) -m build --no-isolation --outdir dist .

# Regenerates compat_fixtures/<dl4j version>/ with real DL4J (see compat_fixtures/README.md).
fixtures: $(JAR)
	java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
	  -cp '$(JAR):java/target/lib/*' org.pydl4j.transfer.fixtures.GenerateFixtures compat_fixtures

# Regenerates the Keras-made fixtures of compat_fixtures/keras/ (reference/, keras3/, applications/) with the real
# keras package (3.x, torch backend), which is not a dependency of the project: KERAS_PYTHON names a Python that has
# keras and torch, e.g. `python -m venv kv && kv/bin/pip install keras==3.12.0 torch==2.5.1`.
KERAS_PYTHON ?= python3
keras-fixtures:
	KERAS_BACKEND=torch $(KERAS_PYTHON) compat_fixtures/keras/generate.py $(KERAS_FIXTURES)

# The Keras parity table (per file of shared/keras: JSON equal, params equal, max output diff vs DL4J and Keras).
keras-report: $(STAMP) $(JAR)
	PYTHONPATH=$(CURDIR) $(VPY) -m tests.keras.report keras_parity_report.md

clean:
	rm -rf $(VENV) java/target .pytest_cache dist build pydl4j_transfer.egg-info

# Benchmarks side by side with real DL4J (see BENCHMARKS.md); BENCH_ARGS="zip_io --reps 3" for a quick run.
bench: $(STAMP) $(JAR)
	$(VPY) -m bench $(BENCH_ARGS)

# Fuzzing (issue 17; RELIABILITY.md): FUZZ_INPUTS structure-aware inputs over every reader entry point, each in a
# child process under RLIMIT_AS (2 GiB) and a 10 s timeout; summary.json and findings/ under fuzz-results/.
# 100,000 inputs take about an hour on 2 free cores: run it at low priority. Exits 1 on any untyped / hang /
# crash / memory outcome. FUZZ_ARGS="--start 100000" continues a run. The Keras import (needs h5py) is an opt-in
# target: make fuzz FUZZ_INPUTS=3000 FUZZ_ARGS="--targets keras.h5 --out fuzz-results/keras".
FUZZ_INPUTS ?= 100000
FUZZ_JOBS ?= 2
FUZZ_SEED ?= 100
fuzz: $(STAMP)
	nice -n 19 $(VPY) -m tests.fuzz --inputs $(FUZZ_INPUTS) --jobs $(FUZZ_JOBS) --seed $(FUZZ_SEED) \
	  --out fuzz-results --progress 5000 $(FUZZ_ARGS)

# SIGKILL during writes (issue 17; RELIABILITY.md): KILLS kills per writer at random moments of a write; after
# each, the target must be the old or the new file (never missing or corrupt) and the next write must leave
# no temporary file. Writers that need torch are included when it is installed.
KILLS ?= 100
kill-writes: $(STAMP)
	nice -n 19 $(VPY) -m tests.fuzz.kill_writes --kills $(KILLS) $(KILL_ARGS)
# Data-parallel scaling only (issue 18): 1 vs 2 gloo ranks under torchrun, bytes per step, the 8 GPUs x N nodes model.
bench-distributed: $(STAMP)
	$(VPY) -m bench distributed $(BENCH_ARGS)
