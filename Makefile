# The two commands of the README:
#   make run    install what is missing, build, start the app on the default vault
#   make test   install what is missing, build, run every test through CTest
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: all deps configure build run test test-each sanitize fuzz coverage bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCOUNTERSIGN_WERROR=ON $(LAUNCHER) $(CMAKE_FLAGS)

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/bin/countersign

test: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j $(JOBS)

# Every test function of every Qt Test binary alone, in a process of its own.
test-each: build
	scripts/test-each-function.sh $(BUILD_DIR) -j $(JOBS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize:
	ASAN_OPTIONS=fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
	$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DCOUNTERSIGN_SANITIZE=ON -DCOUNTERSIGN_BUILD_BENCH=OFF"

# libFuzzer targets under ASan and UBSan (clang 16), FUZZ_SECONDS each (default 60).
fuzz:
	@scripts/install-deps.sh --fuzz
	CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCOUNTERSIGN_FUZZ=ON -DCOUNTERSIGN_CORE_ONLY=ON -DCOUNTERSIGN_BUILD_TESTS=OFF -DCOUNTERSIGN_BUILD_BENCH=OFF $(LAUNCHER)
	cmake --build build-fuzz -j $(JOBS)
	scripts/fuzz.sh

# Line coverage of core/ over the whole suite (gcovr); fails below COVERAGE_MIN percent.
COVERAGE_MIN ?= 90
coverage:
	@scripts/install-deps.sh --coverage
	$(MAKE) test BUILD_DIR=build-coverage BUILD_TYPE=Debug CMAKE_FLAGS="-DCOUNTERSIGN_COVERAGE=ON -DCOUNTERSIGN_BUILD_BENCH=OFF"
	gcovr --root . --filter 'core/' --object-directory build-coverage --gcov-ignore-parse-errors --txt build-coverage/coverage.txt \
		--html-details build-coverage/coverage.html --fail-under-line $(COVERAGE_MIN) --print-summary

bench: build
	$(BUILD_DIR)/bin/countersign-bench-vault
	$(BUILD_DIR)/bin/countersign-bench-decision
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/bin/countersign-bench-queue
	$(BUILD_DIR)/bin/countersign-bench-audit
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/bin/countersign-bench-auditview
	$(BUILD_DIR)/bin/countersign-bench-team

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz build-coverage
