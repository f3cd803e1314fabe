# The two set-up commands of the README, and the pieces they are made of.
#   make demo   venv + java build, then the main job
#   make test   venv + java build, then the whole suite (parity tests against real DL4J included)
PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
JAR    := java/target/pydl4j-transfer-java.jar
STAMP  := $(VENV)/.installed
JAVA_SOURCES := $(shell find java/src -name '*.java' 2>/dev/null)

.PHONY: demo test venv java fixtures bench clean fuzz kill-writes

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

# Regenerates compat_fixtures/<dl4j version>/ with real DL4J (see compat_fixtures/README.md).
fixtures: $(JAR)
	java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
	  -cp '$(JAR):java/target/lib/*' org.pydl4j.transfer.fixtures.GenerateFixtures compat_fixtures

clean:
	rm -rf $(VENV) java/target .pytest_cache

# Benchmarks side by side with real DL4J (see BENCHMARKS.md); BENCH_ARGS="zip_io --reps 3" for a quick run.
bench: $(STAMP) $(JAR)
	$(VPY) -m bench $(BENCH_ARGS)

# Fuzzing (issue 17; RELIABILITY.md): FUZZ_INPUTS structure-aware inputs over every reader entry point, each in a
# child process under RLIMIT_AS (2 GiB) and a 10 s timeout; summary.json and findings/ under fuzz-results/.
# 100,000 inputs take about an hour on 2 free cores: run it at low priority. Exits 1 on any untyped / hang /
# crash / memory outcome. FUZZ_ARGS="--start 100000" continues a run.
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
