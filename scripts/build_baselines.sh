#!/usr/bin/env bash
# Builds release static libraries of the RocksDB and LevelDB that Debian ships,
# for shale-bench to compare against.
#
# Why: Debian builds librocksdb and libleveldb with assertions on, which makes
# them measurably slower than a release build of the same tag. Comparing shale
# against them would flatter shale. So this script fetches Debian's *source*
# packages of exactly the installed versions (Debian patches applied), builds
# them once with -O2 -DNDEBUG and installs them into a cache outside the
# repository:
#
#   $SHALE_BASELINE_CACHE (default ~/.cache/shale-baselines)/
#     apt/                      a private apt state: sources, lists, cache
#     src/                      unpacked source packages
#     rocksdb-<ver>/            install prefix: include/, lib/librocksdb.a
#     leveldb-<ver>/            install prefix: include/, lib/libleveldb.a
#     <name>-<ver>/.stamp       written last; present = built, skip next time
#
# The system's apt configuration is left alone: deb-src entries are derived
# from the system's sources into the private apt dir, and apt-get is pointed
# at it with -o options. Nothing of the fetched sources enters the repository.
#
# Usage: scripts/build_baselines.sh [rocksdb] [leveldb]   (default: both)
# Prints, as its last line, the cache directory. Exit status non-zero if a
# build failed; callers fall back to Debian's binaries (with a warning).
set -euo pipefail

CACHE="${SHALE_BASELINE_CACHE:-$HOME/.cache/shale-baselines}"
APT="$CACHE/apt"
JOBS="${JOBS:-2}"
NICE="nice -n 19"

log() { echo "build_baselines: $*" >&2; }

installed_version() {  # source version of an installed binary package
  dpkg-query -W -f='${source:Version}' "$1" 2>/dev/null || true
}

# --- a private apt that knows the deb-src twins of the system's sources ----
setup_apt() {
  mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d"
  : >"$APT/sources.list"
  # One-line format: every "deb" line gets a "deb-src" twin.
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$APT/sources.list"
  done
  # deb822 format: copy each stanza with Types: deb-src.
  rm -f "$APT/sources.list.d/"*.sources
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed 's/^Types:.*/Types: deb-src/' "$f" >"$APT/sources.list.d/$(basename "$f")"
  done
  APT_OPTS=(-o "Dir::Etc::SourceList=$APT/sources.list"
            -o "Dir::Etc::SourceParts=$APT/sources.list.d"
            -o "Dir::State::Lists=$APT/lists"
            -o "Dir::Cache=$APT/cache"
            -o "Debug::NoLocking=1"
            -o "APT::Sandbox::User=root")
  if [ ! -f "$APT/.updated" ] || [ -n "$(find "$APT/.updated" -mtime +7)" ]; then
    log "apt-get update (private lists in $APT)"
    apt-get "${APT_OPTS[@]}" update -qq
    touch "$APT/.updated"
  fi
}

# fetch SRCPKG VERSION -> prints the unpacked source directory
fetch_source() {
  local pkg="$1" ver="$2" upstream="${2%-*}"
  upstream="${upstream#*:}"
  local dir="$CACHE/src/$pkg-$upstream"
  if [ ! -d "$dir" ]; then
    mkdir -p "$CACHE/src"
    log "apt-get source $pkg=$ver"
    (cd "$CACHE/src" && apt-get "${APT_OPTS[@]}" source -qq "$pkg=$ver" >&2)
  fi
  [ -d "$dir" ] || { log "no source tree at $dir"; return 1; }
  echo "$dir"
}

build_rocksdb() {
  local ver; ver="$(installed_version librocksdb-dev)"
  [ -n "$ver" ] || { log "librocksdb-dev not installed; skipping rocksdb"; return 1; }
  local upstream="${ver%-*}" prefix
  prefix="$CACHE/rocksdb-$upstream"
  if [ -f "$prefix/.stamp" ]; then log "rocksdb $upstream: cached"; return 0; fi
  local src; src="$(fetch_source rocksdb "$ver")"
  local start=$SECONDS
  log "building rocksdb $upstream (static, -O2 -DNDEBUG, -j$JOBS; this takes long)"
  # Compression libraries as Debian links them: snappy lz4 zlib zstd bz2.
  $NICE cmake -S "$src" -B "$src/build-release" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DPORTABLE=1 -DFAIL_ON_WARNINGS=OFF -DUSE_RTTI=1 \
    -DWITH_TESTS=OFF -DWITH_TOOLS=OFF -DWITH_BENCHMARK_TOOLS=OFF \
    -DWITH_CORE_TOOLS=OFF -DWITH_GFLAGS=OFF -DWITH_JNI=OFF \
    -DWITH_SNAPPY=ON -DWITH_LZ4=ON -DWITH_ZLIB=ON -DWITH_ZSTD=ON -DWITH_BZ2=ON \
    -DWITH_LIBURING=OFF -DWITH_JEMALLOC=OFF \
    -DROCKSDB_BUILD_SHARED=OFF >&2
  $NICE cmake --build "$src/build-release" -j "$JOBS" --target rocksdb >&2
  mkdir -p "$prefix/lib"
  rm -rf "$prefix/include"
  cp -r "$src/include" "$prefix/include"
  cp "$src/build-release/librocksdb.a" "$prefix/lib/"
  echo "rocksdb $upstream built $(date -u +%FT%TZ) in $((SECONDS - start)) s" \
    >"$prefix/.stamp"
  log "rocksdb $upstream: done in $((SECONDS - start)) s -> $prefix"
}

build_leveldb() {
  local ver; ver="$(installed_version libleveldb-dev)"
  [ -n "$ver" ] || { log "libleveldb-dev not installed; skipping leveldb"; return 1; }
  local upstream="${ver%-*}" prefix
  prefix="$CACHE/leveldb-$upstream"
  if [ -f "$prefix/.stamp" ]; then log "leveldb $upstream: cached"; return 0; fi
  local src; src="$(fetch_source leveldb "$ver")"
  local start=$SECONDS
  log "building leveldb $upstream (static, -O2 -DNDEBUG)"
  $NICE cmake -S "$src" -B "$src/build-release" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DBUILD_SHARED_LIBS=OFF \
    -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF \
    -DLEVELDB_INSTALL=ON >&2
  $NICE cmake --build "$src/build-release" -j "$JOBS" --target leveldb >&2
  mkdir -p "$prefix/lib"
  rm -rf "$prefix/include"
  cp -r "$src/include" "$prefix/include"
  cp "$src/build-release/libleveldb.a" "$prefix/lib/"
  echo "leveldb $upstream built $(date -u +%FT%TZ) in $((SECONDS - start)) s" \
    >"$prefix/.stamp"
  log "leveldb $upstream: done in $((SECONDS - start)) s -> $prefix"
}

main() {
  local want=("$@")
  [ ${#want[@]} -gt 0 ] || want=(leveldb rocksdb)
  mkdir -p "$CACHE"
  local need=0
  for w in "${want[@]}"; do
    local pkg=lib$w-dev ver
    ver="$(installed_version "$pkg")"
    [ -n "$ver" ] && [ -f "$CACHE/$w-${ver%-*}/.stamp" ] || need=1
  done
  [ $need -eq 1 ] && setup_apt
  local rc=0
  for w in "${want[@]}"; do
    case "$w" in
      rocksdb) build_rocksdb || rc=1 ;;
      leveldb) build_leveldb || rc=1 ;;
      *) log "unknown baseline '$w'"; rc=2 ;;
    esac
  done
  echo "$CACHE"
  return $rc
}

main "$@"
