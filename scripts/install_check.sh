#!/usr/bin/env bash
# Installs shale into a scratch prefix and builds the downstream projects
# against it with find_package(shale): tests/consumer (C++, shale::shale)
# and tests/consumer_c (C99, shale/c.h); then runs both. The CMake package
# works downstream, from C++ and from C.
set -euo pipefail
build=${1:-build}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
for consumer in consumer consumer_c; do
  cmake -S "tests/$consumer" -B "$scratch/$consumer" -G Ninja \
    -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
  cmake --build "$scratch/$consumer" >/dev/null
done
"$scratch/consumer/consumer" "$scratch/db"
"$scratch/consumer_c/c_consumer" "$scratch/db_c"
