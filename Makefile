# shale: the two commands a newcomer needs are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATA_DIR ?= ./data

.PHONY: all deps configure build test test-server run clean install-check \
	bench bench-server crashtest crashtest-short fuzz fuzz-short fuzz-build \
	stress-kill test-asan test-tsan space-test deb compat compat-short

all: build

deps:
	@./scripts/deps.sh

$(BUILD_DIR)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	./scripts/install_check.sh $(BUILD_DIR)
	./scripts/deb_check.sh $(BUILD_DIR)
	$(MAKE) --no-print-directory test-server
	$(MAKE) --no-print-directory compat-short
	$(MAKE) --no-print-directory crashtest-short fuzz-short

# shale-server's wire tests: real clients (redis-py, redis-cli, pymemcache,
# libmemcached tools, curl) against the built binary, on Debian's python3.
test-server: build
	SHALE_SERVER=$(BUILD_DIR)/shale-server /usr/bin/python3 -m pytest -q \
	  -p no:cacheprovider tests/server

# The differential test against Debian's redis-server (tests/compat/README.md):
# seeded random command sequences on both, replies compared byte for byte.
# `make compat` runs DURATION seconds (default 600) or SEEDS sequences,
# from SEED (default random); `make test` runs 150 sequences from seed
# 3000 (SEED= to change it) over the families below (`make compat` runs
# every family); docs/protocols.md lists the open differences.
DURATION ?= 600
SEEDS ?= 0
COMPAT = SHALE_SERVER=$(BUILD_DIR)/shale-server /usr/bin/python3 \
	tests/compat/compat.py $(if $(SEED),--seed $(SEED))
COMPAT_SHORT = SHALE_SERVER=$(BUILD_DIR)/shale-server /usr/bin/python3 \
	tests/compat/compat.py --seed $(if $(SEED),$(SEED),3000)
compat: build
	$(COMPAT) --duration $(DURATION) --seeds $(SEEDS)

compat-short: build
	$(COMPAT_SHORT) --seeds 150 --families bits,blocking,connection,databases,dump,keys,lists,scripting,streams,strings,transactions,zsets

# Starts shale-server on ./data with the defaults: RESP on 6380, memcached on
# 11212, HTTP on 8380 (the log says where each listens). Ctrl-C stops it.
run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD_DIR)/shale-server --dir $(DATA_DIR)

# The standard benchmark suite, shale side by side with release builds of
# RocksDB and LevelDB (built once into ~/.cache/shale-baselines); about 15
# minutes on 2 cores. Writes bench/results/latest.{json,png}. docs/bench.md.
bench: deps
	./scripts/bench.sh

# shale-server against redis-server and memcached (redis-benchmark, memcaslap).
bench-server: build
	./scripts/bench_server.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)

# Debian packages shale-server (with a systemd unit), libshale-dev and
# python3-shale, made from the built tree (packaging/debian) into
# $(BUILD_DIR)/deb/. `make test` installs, runs and purges them
# (scripts/deb_check.sh).
deb: build
	./scripts/make_deb.sh $(BUILD_DIR)

# --- reliability: crash tests, fuzzing, sanitizers (docs/testing.md) --------
KILL_BUILD ?= build-kill
ASAN_BUILD ?= build-asan
# The fuzz targets live in the ASan+UBSan tree: its libraries carry the
# fuzzer's coverage instrumentation too, so the sanitizer tests and the
# fuzzers share one compile of everything (CI builds it once, not twice).
FUZZ_BUILD := $(ASAN_BUILD)
TSAN_BUILD ?= build-tsan
CLANG_CMAKE := -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
CRASH = /usr/bin/python3 tests/crash/crashtest.py
CRASH_SECONDS ?= 3600
FUZZ_SECONDS ?= 600
FUZZ_TARGETS = block_fuzz table_fuzz log_reader_fuzz manifest_fuzz vlog_fuzz \
	http_fuzz resp_parser_fuzz mc_parser_fuzz rdb_value_fuzz function_payload_fuzz
# What the sanitizer builds build: every gtest binary the build defines
# (util_tests, db_tests, server_tests, ...), the CLI (for cli_test) and the
# stress tool; not the server or the benchmarks.
san-targets = shale_cli shale_stress $$(ninja -C $(1) -t targets all | \
	sed -n 's/^\([a-z]*_tests\): CXX_EXECUTABLE_LINKER.*/\1/p')

# shale-stress with whitebox kill points compiled in (only this build).
$(KILL_BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(KILL_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DSHALE_KILL_POINTS=ON -DSHALE_BUILD_TESTS=OFF

stress-kill: $(KILL_BUILD)/build.ninja
	cmake --build $(KILL_BUILD) -j $(JOBS) --target shale_stress

# Key-value separation's space test at the issue's size: 200k keys of 4 KiB
# overwritten five times (two patterns), default options, real files under
# $TMPDIR; on-disk bytes must stay within 1.5x the live data. Writes about
# 9.5 GiB in all; needs ~2 GiB free. `make test` runs it with 4000 keys.
space-test: build
	SHALE_SPACE_KEYS=200000 $(BUILD_DIR)/db_tests --gtest_filter='Overwrites/DBSpaceTest.*'

# About an hour of blackbox, whitebox, power-loss and fault-injection
# cycles over a 100k-key space (CRASH_SECONDS=N to change).
crashtest: build stress-kill
	nice -n 10 $(CRASH) --stress $(BUILD_DIR)/shale-stress \
	  --stress-whitebox $(KILL_BUILD)/shale-stress --duration $(CRASH_SECONDS) \
	  --min-kill-s 5 --max-kill-s 60 --num-keys 100000

# Two minutes of it, every mode (part of `make test`).
crashtest-short: build stress-kill
	$(CRASH) --stress $(BUILD_DIR)/shale-stress \
	  --stress-whitebox $(KILL_BUILD)/shale-stress --duration 120 \
	  --min-kill-s 2 --max-kill-s 8 --num-keys 20000

fuzz-build: $(ASAN_BUILD)/build.ninja
	$(ASAN_CMAKE) > /dev/null  # a tree configured before had no fuzz targets
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(FUZZ_TARGETS)

# Each fuzz target for FUZZ_SECONDS (default 10 minutes) ...
fuzz: fuzz-build
	nice -n 10 ./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# ... or for 10 seconds (part of `make test`).
fuzz-short: fuzz-build
	./fuzz/run.sh $(FUZZ_BUILD) 10

# The unit tests and a short stress/crash run under AddressSanitizer +
# UndefinedBehaviorSanitizer (the fuzzers' tree, above), then
# ThreadSanitizer (clang).
ASAN_CMAKE = cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  $(CLANG_CMAKE) -DSHALE_SANITIZE="address;undefined" -DSHALE_BUILD_FUZZ=ON
$(ASAN_BUILD)/build.ninja: CMakeLists.txt | deps
	$(ASAN_CMAKE)

test-asan: $(ASAN_BUILD)/build.ninja
	$(ASAN_CMAKE) > /dev/null  # regenerate first: the target list comes from it
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target $(call san-targets,$(ASAN_BUILD))
	cd $(ASAN_BUILD) && SHALE_SOAK_KEYS=100000 \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS) \
	  -E '^bench_smoke$$'
	$(CRASH) --stress $(ASAN_BUILD)/shale-stress --modes blackbox,powerloss,faults \
	  --duration 150 --min-kill-s 4 --max-kill-s 12 --num-keys 10000

$(TSAN_BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  $(CLANG_CMAKE) -DSHALE_SANITIZE=thread

test-tsan: $(TSAN_BUILD)/build.ninja
	cmake $(TSAN_BUILD) > /dev/null  # regenerate first: the target list comes from it
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(call san-targets,$(TSAN_BUILD))
	cd $(TSAN_BUILD) && SHALE_SOAK_KEYS=100000 \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j $(JOBS) -E '^bench_smoke$$' $(TSAN_CTEST_ARGS)
	TSAN_OPTIONS=halt_on_error=1 $(CRASH) --stress $(TSAN_BUILD)/shale-stress \
	  --modes powerloss,faults --duration 120 --max-kill-s 10 --num-keys 10000
