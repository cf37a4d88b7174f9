#!/usr/bin/env bash
# The Debian packages end to end (part of `make test`): builds them from the
# built tree (scripts/make_deb.sh), requires lintian to report no errors,
# installs them with dpkg, starts shale-server as the package runs it
# (systemctl where systemd runs; otherwise the unit's ExecStart line, by
# hand, as the user shale), talks to it with redis-cli, reinstalls (the
# upgrade path) and checks the data survived, builds a C program against
# libshale-dev and imports python3-shale, then removes the packages (data
# kept) and purges them (data gone). Needs root (or sudo).
# Usage: deb_check.sh [BUILD]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
packages=(shale-server libshale-dev python3-shale)
scratch=$(mktemp -d)
server_pid=""

stop_server() {
  if [ -n "$server_pid" ]; then
    $sudo kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  elif [ -d /run/systemd/system ]; then
    $sudo systemctl stop shale-server || true
  fi
}
cleanup() {
  stop_server
  $sudo dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT

fail() {
  echo "deb_check: $*" >&2
  exit 1
}

mapfile -t debs < <(scripts/make_deb.sh "$build")
[ ${#debs[@]} -eq 3 ] || fail "expected 3 packages, got: ${debs[*]}"
lintian --fail-on error --no-tag-display-limit "${debs[@]}" \
  > "$scratch/lintian.txt" 2>&1 || { cat "$scratch/lintian.txt"; fail "lintian reported errors"; }
echo "deb_check: lintian: no errors ($(grep -c '^W:' "$scratch/lintian.txt" || true) warnings)"

# A package left behind by an interrupted run of this script goes first.
$sudo dpkg --purge "${packages[@]}" >/dev/null 2>&1 || true
$sudo dpkg -i "${debs[@]}" >/dev/null

getent passwd shale >/dev/null || fail "no user shale"
[ "$(stat -c %U /var/lib/shale)" = shale ] || fail "/var/lib/shale not owned by shale"
[ -f /etc/shale/shale.toml ] || fail "no /etc/shale/shale.toml"

port=6380
start_server() {
  if [ -d /run/systemd/system ]; then
    $sudo systemctl restart shale-server
  else
    unit=$(dpkg -L shale-server | grep '/shale-server\.service$')
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
    user=$(sed -n 's/^User=//p' "$unit")
    # Ports chosen free here, not the packaged defaults: a test listens on
    # ports nothing else uses.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # shellcheck disable=SC2086  # ExecStart is a command line
    $sudo runuser -u "$user" -- $exec_start --port "$port" --memcache-port 0 \
      --http-port 0 2>>"$scratch/server.log" &
    server_pid=$!
  fi
  local deadline=$((SECONDS + 30))
  until [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; do
    [ $SECONDS -lt $deadline ] || { cat "$scratch/server.log" >&2 || true; fail "server did not answer"; }
    sleep 0.1
  done
}

start_server
[ "$(redis-cli -p "$port" set deb-check hello)" = OK ] || fail "SET failed"
[ "$(redis-cli -p "$port" get deb-check)" = hello ] || fail "GET failed"
stop_server

# Upgrade path: reinstalling runs prerm upgrade / postinst configure.
$sudo dpkg -i "${debs[@]}" >/dev/null
start_server
[ "$(redis-cli -p "$port" get deb-check)" = hello ] || fail "data lost by upgrade"
stop_server

# The library and headers: a C program built against /usr.
cmake -S tests/consumer_c -B "$scratch/consumer_c" -G Ninja >/dev/null
cmake --build "$scratch/consumer_c" >/dev/null
"$scratch/consumer_c/c_consumer" "$scratch/c_db" >/dev/null
# The Python module, from outside the tree and without PYTHONPATH.
script=$(realpath tests/consumer_py/consumer.py)
out=$(cd "$scratch" && env -u PYTHONPATH /usr/bin/python3 "$script" \
  "$scratch/py_db")
[[ $out == *"/usr/lib/python3/dist-packages/shale/"* ]] ||
  fail "python3-shale not imported from /usr/lib/python3: $out"

$sudo dpkg --remove "${packages[@]}" >/dev/null
[ -n "$(ls -A /var/lib/shale)" ] || fail "remove deleted the data"
[ -f /etc/shale/shale.toml ] || fail "remove deleted the config"
$sudo dpkg --purge shale-server >/dev/null  # the others went whole on remove
[ ! -e /var/lib/shale ] || fail "purge kept /var/lib/shale"
[ ! -e /etc/shale ] || fail "purge kept /etc/shale"
echo "deb_check: install, start, redis-cli, upgrade, remove, purge: ok"
