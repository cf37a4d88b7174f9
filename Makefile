# shale: the two commands a newcomer needs are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATA_DIR ?= ./data

.PHONY: all deps configure build test test-server run clean install-check \
	bench bench-server

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
	$(MAKE) --no-print-directory test-server

# shale-server's wire tests: real clients (redis-py, redis-cli, pymemcache,
# libmemcached tools, curl) against the built binary, on Debian's python3.
test-server: build
	SHALE_SERVER=$(BUILD_DIR)/shale-server /usr/bin/python3 -m pytest -q \
	  -p no:cacheprovider tests/server

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
