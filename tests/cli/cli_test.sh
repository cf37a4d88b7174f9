#!/usr/bin/env bash
# End-to-end tests of the `shale` CLI on a real directory.
# Usage: cli_test.sh PATH/TO/shale
set -u
shale=${1:?usage: cli_test.sh PATH/TO/shale}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="$dir/db"
passed=0
failed=0

check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n  expected: %q\n  actual:   %q\n' "$1" "$2" "$3"
  fi
}

"$shale" put --db "$db" alpha one
"$shale" put --db "$db" beta two
"$shale" put --db "$db" gamma three --sync
check "get" "one" "$("$shale" get --db "$db" alpha)"
"$shale" get --db "$db" missing >/dev/null 2>&1
check "get missing exits 1" "1" "$?"
"$shale" get --db "$dir/nodb" alpha >/dev/null 2>&1
check "get on no DB exits 2" "2" "$?"
"$shale" delete --db "$db" beta
"$shale" get --db "$db" beta >/dev/null 2>&1
check "deleted" "1" "$?"

check "scan all" $'alpha\tone\ngamma\tthree' "$("$shale" scan --db "$db")"
check "scan range" $'alpha\tone' "$("$shale" scan --db "$db" --from a --to b)"
check "scan limit" $'alpha\tone' "$("$shale" scan --db "$db" --limit 1)"

# Binary keys and values through the escaped form.
"$shale" put --db "$db" --escaped 'bin\x00key' 'tab\there\xff'
check "escaped scan" 'bin\x00key	tab\x09here\xff' \
  "$("$shale" scan --db "$db" --from bin --to bio)"
check "escaped get" 'tab\x09here\xff' \
  "$("$shale" get --db "$db" --escaped --escape 'bin\x00key')"

# A value that expires.
"$shale" put --db "$db" short-lived v --ttl-ms 1
for _ in $(seq 1 100); do
  "$shale" get --db "$db" short-lived >/dev/null 2>&1 || break
done
"$shale" get --db "$db" short-lived >/dev/null 2>&1
check "expired" "1" "$?"

# The shell, fed from a pipe.
out=$(printf 'put "a key" "a value"\nget "a key"\nget nothing\ndel "a key"\nget "a key"\nbogus\nflush\nquit\n' |
  "$shale" shell --db "$db")
check "shell" $'OK\n"a value"\n(nil)\nOK\n(nil)\n(error) unknown command or wrong arguments; try \'help\'\nOK' "$out"

stats=$("$shale" stats --db "$db")
case "$stats" in *Level*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL stats: $stats" ;; esac
check=$("$shale" check --db "$db")
case "$check" in OK:*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL check: $check" ;; esac

# dump reads each file kind.
log=$(ls "$db"/*.log | head -n 1)
manifest=$(ls "$db"/MANIFEST-* | head -n 1)
# alpha is in one of the tables (which one depends on the compactions the
# opens above ran).
case "$(for f in "$db"/*.sst; do "$shale" dump "$f"; done)" in *"alpha @"*PUT*one*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL dump sst" ;; esac
case "$("$shale" dump "$manifest")" in *group*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL dump manifest" ;; esac
"$shale" put --db "$db" walkey walvalue
log=$(ls "$db"/*.log | tail -n 1)
case "$("$shale" dump "$log")" in *"PUT walkey => walvalue"*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL dump wal: $("$shale" dump "$log")" ;; esac
case "$("$shale" dump "$log")" in *"record 0: start marker, first sequence"*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL dump wal marker: $("$shale" dump "$log")" ;; esac
# A WAL under another name: its fragments' log number comes from their header.
cp "$log" "$dir/renamed-wal"
case "$("$shale" dump --type wal "$dir/renamed-wal")" in *"PUT walkey => walvalue"*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL dump renamed wal: $("$shale" dump --type wal "$dir/renamed-wal")" ;; esac
"$shale" dump "$dir/unknown.bin" >/dev/null 2>&1
check "dump unknown kind exits 2" "2" "$?"

# Large values go to a value log at flush; check recounts its garbage.
vdb="$dir/vdb"
big() { head -c 2000 /dev/zero | tr '\0' "$1"; }
for round in 1 2 3 4; do
  printf 'put big1 %s\nput key%s %s\nflush\nquit\n' "$(big "$round")" \
    "$round" "$(big k)" | "$shale" shell --db "$vdb" --create >/dev/null
done
check "big value" "$(big 4)" "$("$shale" get --db "$vdb" big1)"
# The last round's vlog holds big1's and key4's live values (GC may have
# written newer vlogs between the sessions, moving older rounds' values).
vlog=$(for f in "$vdb"/*.vlog; do
  "$shale" dump "$f" | grep -q "key key4," && echo "$f"; done | head -n 1)
vname=$(basename "$vlog")
out=$("$shale" dump "$vlog")
check "dump vlog exits 0" "0" "$?"
case "$out" in
  *"header: version 1"*"key big1, value 2000 bytes \"4444"*"key key4, value 2000 bytes"*"footer: 2 records, 4032 data bytes: matches"*)
    passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL dump vlog: $out" ;;
esac
out=$("$shale" dump --type vlog "$vlog")
check "dump --type vlog exits 0" "0" "$?"
out=$("$shale" check --db "$vdb")
check "check with vlogs exits 0" "0" "$?"
case "$out" in
  *"vlog $vname: 2 records, data 4032 bytes, 2 pointers; garbage per MANIFEST 0, by recount 0: match"*OK:*)
    passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL check with vlogs: $out" ;;
esac
case "$out" in
  *MISMATCH*|*DAMAGED*) failed=$((failed + 1)); echo "FAIL check counts: $out" ;;
  *) passed=$((passed + 1)) ;;
esac

# Compaction drops the old versions of big1: their records become garbage,
# counted in the MANIFEST (check's recount agrees), and the vlogs holding
# them are collected by GC: only the 5 live keys' pointers are left.
check "compact" "OK" "$(printf 'compact\n' | "$shale" shell --db "$vdb")"
out=$("$shale" check --db "$vdb")
check "check after compaction exits 0" "0" "$?"
case "$out" in
  *"OK: 5 live keys; "*" 5 entries, "*"5 value pointers into"*"garbage counts match"*) passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL check after compaction: $out" ;;
esac
case "$out" in
  *MISMATCH*|*DAMAGED*) failed=$((failed + 1)); echo "FAIL check counts after compaction: $out" ;;
  *) passed=$((passed + 1)) ;;
esac

# One flipped byte in a live value: check names the file and exits 1.
printf 'y' | dd of="$vlog" bs=1 seek=100 conv=notrunc 2>/dev/null
out=$("$shale" check --db "$vdb")
check "check on a damaged vlog exits 1" "1" "$?"
case "$out" in
  *DAMAGED:*"$vname"*"checksum mismatch"*FAILED:*) passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL check damaged vlog: $out" ;;
esac
out=$("$shale" dump "$vlog")
check "dump of a damaged vlog exits 2" "2" "$?"
case "$out" in
  *"key big1, value 2000 bytes"*"# checksum mismatch"*) passed=$((passed + 1)) ;;
  *) failed=$((failed + 1)); echo "FAIL dump damaged vlog: $out" ;;
esac
err=$("$shale" get --db "$vdb" big1 2>&1 >/dev/null)
check "get of a damaged value exits 2" "2" "$?"
case "$err" in *"$vname"*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL get damaged: $err" ;; esac

# A checkpoint opens with the same contents and takes no later write.
"$shale" checkpoint --db "$db" --dir "$dir/ckpt"
check "checkpoint exits 0" "0" "$?"
"$shale" put --db "$db" after-ckpt x
check "checkpoint scan" "$("$shale" scan --db "$db" | grep -v '^after-ckpt')" \
  "$("$shale" scan --db "$dir/ckpt")"
"$shale" get --db "$dir/ckpt" after-ckpt >/dev/null 2>&1
check "checkpoint lacks later writes" "1" "$?"
err=$("$shale" checkpoint --db "$db" --dir "$dir/ckpt" 2>&1)
check "checkpoint into an existing dir exits 2" "2" "$?"
case "$err" in *"Invalid argument"*exists*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)); echo "FAIL checkpoint exists: $err" ;; esac
check "shell checkpoint" "OK" \
  "$(printf 'checkpoint %s\n' "$dir/ckpt2" | "$shale" shell --db "$db")"
check "shell checkpoint scan" "$("$shale" scan --db "$db")" \
  "$("$shale" scan --db "$dir/ckpt2")"

# A second process cannot open a DB that is in use.
mkfifo "$dir/fifo"
"$shale" shell --db "$db" <"$dir/fifo" >"$dir/shell.out" &
exec 3>"$dir/fifo"
# The shell answers only once it has the DB open (and its lock): probing
# earlier could take the lock first and make the shell fail instead.
echo help >&3
for _ in $(seq 1 200); do
  [ -s "$dir/shell.out" ] && break
  sleep 0.05
done
err=$("$shale" get --db "$db" alpha 2>&1 >/dev/null)
check "busy while open" "yes" "$(case "$err" in *Busy*) echo yes ;; *) echo "no: $err" ;; esac)"
exec 3>&-
wait

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
