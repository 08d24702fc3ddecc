# aifabric quick start. `make run` and `make test` each work alone on a fresh Debian 12
# machine: they install the Debian packages they need (root or sudo), build, and run.
SHELL := /bin/bash
BUILD_DIR ?= build
REPEAT ?= 3
JOBS ?= $(shell nproc)
SCENARIO ?=
OUT ?= results/default

# Build tools and libraries, all from Debian 12 (see README "Dependencies"). libjs-chart.js
# is Chart.js, which the build inlines into report.html (nothing is fetched at run time).
PACKAGES := g++ cmake ninja-build pkg-config libyaml-cpp-dev libcli11-dev \
            nlohmann-json3-dev libfmt-dev libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev \
            libjs-chart.js libprotobuf-dev protobuf-compiler

# `make test` also installs Chromium (the report's headless-render test) and Prometheus'
# promtool (the metrics.prom check).
TEST_PACKAGES := chromium prometheus
# The CI checks (formatting, clang-tidy) use the LLVM tools.
CI_PACKAGES := clang-format clang-tidy
# clang-tidy looks at the .cc files changed since this commit (CI: the last commit's).
TIDY_BASE ?= HEAD~1

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps test-deps ci-deps install-packages build run test bench bench-telemetry debug asan asan-gcc fuzz-configure format check-format lint tidy-changed ci clean docs fuzz fuzz-build

deps:
	@$(MAKE) --no-print-directory install-packages WANTED="$(PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory install-packages WANTED="$(TEST_PACKAGES)" || \
	  echo "note: could not install $(TEST_PACKAGES); the report render test will be skipped"

ci-deps:
	@$(MAKE) --no-print-directory install-packages WANTED="$(CI_PACKAGES)"

install-packages:
	@missing=""; for p in $(WANTED); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

# Builds only the command line (not the tests and benchmarks) before running it.
run: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target aifabric
	@$(BUILD_DIR)/bin/aifabric run $(SCENARIO) --out $(OUT)

test: build test-deps
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@$(BUILD_DIR)/bin/aifabric_bench

# What telemetry costs on every example (wall time and folder size, on vs off).
bench-telemetry: build
	@bench/telemetry_overhead.sh $(BUILD_DIR)/bin/aifabric $(REPEAT)

debug: deps
	cmake --preset debug && cmake --build --preset debug -j $(JOBS)

# The suite under AddressSanitizer + UndefinedBehaviorSanitizer, built by clang in the
# fuzzing tree ($(FUZZ_DIR), below): `make fuzz` then reuses its objects, so CI compiles
# the library twice (release, sanitized), not three times. `make asan-gcc` is the same
# suite built by g++ in build-asan.
# Left out under the sanitizers, beside the `slow` label: the longest physics and
# validation runs (10-50 s each there), whose code paths shorter tests cover; they run
# in `make test`.
ASAN_SKIP := ^(example\.(gpt3-175b-10240gpu-flow|fault-month|fault-spine-link|hpcc-paper-fb-hadoop|gpt3-175b-1024gpu|fat-tree-permutation|deepseek-v3-style-moe|mixtral-8x7b|bandwidth-sweep)|PacketExecutor\.RingAllReduceBusBandwidthMatchesAlphaBeta|LoadBalancing\.(FlowletsRebalanceOnlyAtGapsLongerThanTheirTimeout|AdaptiveRoutingFollowsTheQueueDepthSignal|EcmpLeavesAboutTenPercentOfFlowsOneAndAHalfTimesSlower|PlannedPathsNarrowTheBankCasePortLoadSpread|PlannedRingAllReduceReachesLineRateAndBeatsEcmp)|Llama3Scale\..*|MegatronTable5\.IterationTimesWithinTenPercentOfKorthikanti|MoeDeepEpPacket\.Ep32.*|Issue12/Modes\.PacketBackendWithinFivePercentOfAnalytic/(zero3|moe|iterations)|Faults\.(SpineLink.*|LaneDowngrade.*|QueuePairBeyond.*|MonthOfFaults.*)|FlowLevel\.(PermutationAgrees.*|RingAllReduce.*|Gpt3Iteration.*|IncastAndDcqcn.*))

asan: deps test-deps fuzz-configure
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target aifabric aifabric_tests && \
	  cd $(FUZZ_DIR) && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=0 \
	  ctest --output-on-failure -j $(JOBS) -LE slow -E '$(ASAN_SKIP)'


asan-gcc: deps test-deps
	@cmake --preset asan-ubsan >/dev/null && cmake --build --preset asan-ubsan -j $(JOBS) && \
	  cd build-asan && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=0 \
	  ctest --output-on-failure -j $(JOBS) -LE slow

# Fuzzing (docs/reliability.md): the libFuzzer targets, built by clang under ASan + UBSan
# in their own tree, each run for FUZZ_SECONDS on one core from its seeds and regressions
# (fuzz/corpus/<t>, fuzz/regressions/<t>, and examples/ for the scenario). Inputs it finds
# go to $(FUZZ_DIR)/corpus/<t>, crashes to $(FUZZ_DIR)/crashes/<t>; any crash fails.
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
FUZZ_DIR ?= build-fuzz
FUZZ_TARGETS := units scenario ns3_topology ns3_flows csv_flows ns3_config simai_workload \
                simai_topology chakra_trace

fuzz-configure: deps
	@$(MAKE) --no-print-directory install-packages WANTED="$(FUZZ_PACKAGES)"
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=None \
	  -DCMAKE_CXX_FLAGS="-O1 -g1" -DAIFABRIC_SANITIZE=address,undefined,fuzzer-no-link \
	  -DAIFABRIC_FUZZ=ON >/dev/null

fuzz-build: fuzz-configure
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/crashes/$$t; \
	  seeds="fuzz/corpus/$$t fuzz/regressions/$$t"; [ $$t = scenario ] && seeds="$$seeds examples"; \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $(FUZZ_DIR)/bin/fuzz_$$t $(FUZZ_DIR)/corpus/$$t $$seeds -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=$(FUZZ_DIR)/crashes/$$t/ \
	    -print_final_stats=1 >$(FUZZ_DIR)/fuzz_$$t.log 2>&1 || \
	    { tail -40 $(FUZZ_DIR)/fuzz_$$t.log; echo "fuzz_$$t: FAILED (input in $(FUZZ_DIR)/crashes/$$t)"; exit 1; }; \
	  echo "fuzz_$$t: $$(grep -o 'stat::number_of_executed_units: *[0-9]*' $(FUZZ_DIR)/fuzz_$$t.log | grep -o '[0-9]*$$') runs in $(FUZZ_SECONDS) s, no crash"; \
	done

# The scenario reference is generated from the same table that validates scenarios.
docs: build
	@{ cat docs/scenario.head.md; echo '## Every key'; echo; \
	   echo '<!-- generated by `make docs` from `aifabric list --markdown`: do not edit below -->'; echo; \
	   $(BUILD_DIR)/bin/aifabric list --markdown; } > docs/scenario.md

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

# Fails (and lists the files) when a source file is not formatted as .clang-format says.
check-format: ci-deps
	@bad=$$(for f in $$(git ls-files '*.h' '*.cc'); do \
	  clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "not formatted (run make format):"; echo "$$bad"; exit 1; fi; \
	echo "formatting: every file matches .clang-format"

# clang-tidy (.clang-tidy, warnings are errors) on the library and CLI sources changed
# since $(TIDY_BASE); needs the release build's compile_commands.json.
tidy-changed: ci-deps build
	@base=$(TIDY_BASE); git rev-parse -q --verify "$$base^{commit}" >/dev/null || base=$$(git rev-list --max-parents=0 HEAD); \
	files=$$(git diff --name-only --diff-filter=AM "$$base" HEAD -- 'src/*.cc' 'apps/*.cc' | grep -v '_test\.cc$$' || true); \
	if [ -z "$$files" ]; then echo "clang-tidy: no library source changed since $$base"; exit 0; fi; \
	echo "clang-tidy on $$(echo $$files | wc -w) file(s) changed since $$base"; \
	run-clang-tidy -quiet -j $(JOBS) -p $(BUILD_DIR) $$files >/tmp/aifabric-tidy.log 2>&1 || { grep -E "error|warning" /tmp/aifabric-tidy.log | head -50; exit 1; }; \
	echo "clang-tidy: clean"

# Everything CI checks (.ci/run): the test suite, formatting, clang-tidy on the last
# commit's sources, and the suite again under AddressSanitizer + UBSan.
ci: test check-format tidy-changed asan

lint: deps
	cmake --preset release >/dev/null
	run-clang-tidy -quiet -p $(BUILD_DIR) 'src/aifabric/.*\.cc$$'

clean:
	rm -rf $(BUILD_DIR) build-debug build-asan $(FUZZ_DIR)
