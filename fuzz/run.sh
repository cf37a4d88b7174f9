#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS, seeded with its corpus in
# fuzz/corpus/<target>/ (read only); what a run discovers goes to
# BUILD/fuzz-work/corpus/<target>/ and is kept for the next run. Fails if
# any target crashes, leaks, times out or runs out of memory; the input is
# saved under BUILD/fuzz-work/artifacts/<target>/ and the log printed.
#
# usage: fuzz/run.sh BUILD SECONDS [TARGET...]   (default: every target)
set -uo pipefail
cd "$(dirname "$0")/.."
build=$1
secs=$2
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(block_fuzz table_fuzz log_reader_fuzz manifest_fuzz vlog_fuzz
           http_fuzz resp_parser_fuzz mc_parser_fuzz rdb_value_fuzz
           function_payload_fuzz)
fi
work=$build/fuzz-work
failed=0
printf "%-18s %8s %10s %8s %8s\n" target seconds execs cov corpus
for t in "${targets[@]}"; do
  if [ ! -x "$build/$t" ]; then
    echo "fuzz: $build/$t is not built" >&2
    failed=1
    continue
  fi
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  log=$work/$t.log
  start=$(date +%s)
  "$build/$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2560 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" \
    "$work/corpus/$t" "fuzz/corpus/$t" > "$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o ' cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  corpus=$(ls "$work/corpus/$t" | wc -l)
  printf "%-18s %8s %10s %8s %8s\n" "$t" "$took" "${execs:-?}" "${cov:-?}" "$corpus"
  if [ $rc -ne 0 ]; then
    echo "fuzz: $t FAILED (exit $rc); input in $work/artifacts/$t/" >&2
    tail -40 "$log" >&2
    failed=1
  fi
done
exit $failed
