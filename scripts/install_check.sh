#!/usr/bin/env bash
# Installs shale into a scratch prefix and builds the downstream projects
# against it with find_package(shale): tests/consumer (C++, shale::shale)
# and tests/consumer_c (C99, shale/c.h); then runs both, and, when the build
# has the Python binding, tests/consumer_py with the installed package on
# PYTHONPATH, run from outside the source tree. The packages work
# downstream, from C++, C and Python.
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
pydir="$scratch/prefix/lib/python3/dist-packages"
if [ -d "$pydir/shale" ]; then
  script=$(realpath tests/consumer_py/consumer.py)
  (cd "$scratch" && PYTHONPATH="$pydir" /usr/bin/python3 "$script" "$scratch/db_py")
fi
