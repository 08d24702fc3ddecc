# aifabric quick start. `make run` and `make test` each work alone on a fresh Debian 12
# machine: they install the Debian packages they need (root or sudo), build, and run.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
SCENARIO ?=
OUT ?= results/default

# Build tools and libraries, all from Debian 12 (see README "Dependencies").
PACKAGES := g++ cmake ninja-build pkg-config libyaml-cpp-dev libcli11-dev \
            nlohmann-json3-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build run test bench debug asan format lint clean

deps:
	@missing=""; for p in $(PACKAGES); do \
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

run: build
	@$(BUILD_DIR)/bin/aifabric run $(SCENARIO) --out $(OUT)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	@$(BUILD_DIR)/bin/aifabric_bench

debug: deps
	cmake --preset debug && cmake --build --preset debug -j $(JOBS)

asan: deps
	cmake --preset asan-ubsan && cmake --build --preset asan-ubsan -j $(JOBS) && \
	  cd build-asan && ctest --output-on-failure -j $(JOBS)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

lint: deps
	cmake --preset release >/dev/null
	run-clang-tidy -quiet -p $(BUILD_DIR) 'src/aifabric/.*\.cc$$'

clean:
	rm -rf $(BUILD_DIR) build-debug build-asan
