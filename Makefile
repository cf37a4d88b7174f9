# shale: the two commands a newcomer needs are `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DATA_DIR ?= ./data

.PHONY: all deps configure build test run clean install-check

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

run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD_DIR)/shale shell --db $(DATA_DIR) --create

clean:
	rm -rf $(BUILD_DIR)
