#!/usr/bin/env bash
# Builds the Debian packages shale-server, libshale-dev and python3-shale
# from an already-built tree (make deb): packaging/debian plus
# /etc/shale/shale.toml (the repo's shale.toml with the packaged data
# directory) in a staging directory, then `debian/rules binary`, which
# installs the build with `cmake --install` and strips it. Writes the
# .debs into BUILD/deb/ and prints their paths. Usage: make_deb.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
out="$build/deb"
stage="$out/shale"
rm -rf "$out"
mkdir -p "$stage"
cp -r packaging/debian "$stage/debian"
# The version is the project's (CMakeLists.txt), with Debian revision 1.
version=$(sed -n 's/^project(shale VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
if ! head -1 "$stage/debian/changelog" | grep -q "(${version}-"; then
  echo "make_deb: packaging/debian/changelog is not at version $version" >&2
  exit 1
fi
sed -e 's|^dir = .*|dir = "/var/lib/shale"|' shale.toml \
  > "$stage/debian/shale.toml"
grep -q '^dir = "/var/lib/shale"$' "$stage/debian/shale.toml"
(cd "$stage" && SHALE_BUILD_DIR="$build" DH_QUIET=1 debian/rules binary \
  >"$out/build.log" 2>&1) || { cat "$out/build.log" >&2; exit 1; }
ls "$out"/*.deb
