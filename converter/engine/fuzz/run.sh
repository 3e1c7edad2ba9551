#!/usr/bin/env bash
# Run every fuzz harness for FUZZ_SECONDS (default 60) each, one after the other, starting from
# the seed corpus in the repo (corpus/<harness>, read-only) plus what earlier runs found
# (FUZZ_WORK, default build/fuzz/<harness>); the 9p share lives in C2W_FUZZ_TMPDIR (default
# /dev/shm). Prints one summary line per harness:
#   fuzz_9p: 123456 runs in 60 s, cov 1234 ft 5678, corpus 321, no crash
# A crash leaves its input as FUZZ_WORK/<harness>-crash-* and makes the script exit 1.
# Usage: run.sh [harness...]   (default: all)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
secs="${FUZZ_SECONDS:-60}"
work="${FUZZ_WORK:-$repo/build/fuzz}"
bin="$("$here/build.sh" | tail -1)" || exit 1
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(9p virtq payload net netmux)
status=0
for h in "${harnesses[@]}"; do
  mkdir -p "$work/$h"
  log="$work/$h.log"
  # -rss_limit_mb: ASan's shadow plus the 9p harness's 139 KiB buffers stay far below it
  "$bin/fuzz_$h" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$h-" "$work/$h" "$here/corpus/$h" >"$log" 2>&1
  rc=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  last="$(grep -aE '^#[0-9]+' "$log" | tail -1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")"
  if [ $rc -eq 0 ]; then
    echo "fuzz_$h: ${runs:-?} runs in $secs s, cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}, no crash"
  else
    status=1
    echo "fuzz_$h: FAILED after ${runs:-?} runs (exit $rc): $(grep -a -m1 -E 'ERROR|ORACLE|runtime error' "$log")"
    echo "  input: $(ls -t "$work/$h"-* 2>/dev/null | head -1)  log: $log"
  fi
done
exit $status
