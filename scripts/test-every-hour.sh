#!/usr/bin/env bash
# Runs the whole suite again and again with the clock of every test process moved (libfaketime)
# to each hour of a day and into both DST nights: no test may depend on the hour, the week or a
# DST change. Redis keeps the real clock (tests/support starts it without LD_PRELOAD).
#   scripts/test-every-hour.sh                    every hour of Thursday 2026-12-03 in Amsterdam,
#                                                 then six instants around the DST changes of
#                                                 2027-03-28 and 2027-10-31
#   scripts/test-every-hour.sh 2027-10-31T01:30:00Z [...]   only these instants (UTC)
# Prints one line per instant and ends non-zero if any run failed; the logs of a failed run
# are kept in build/every-hour/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scripts/build.sh >/dev/null
instants=("$@")
if [ ${#instants[@]} -eq 0 ]; then
  for h in $(seq 0 23); do
    instants+=("$(TZ=Europe/Amsterdam date -d "2026-12-03 $(printf %02d "$h"):30" -u +%FT%TZ)")
  done
  # Spring: 02:00 CET becomes 03:00 CEST at 01:00Z. Autumn: 03:00 CEST becomes 02:00 CET at
  # 01:00Z, so 02:30 local happens twice (00:30Z and 01:30Z).
  instants+=(2027-03-28T00:30:00Z 2027-03-28T00:59:30Z 2027-03-28T01:30:00Z
             2027-10-31T00:30:00Z 2027-10-31T00:59:30Z 2027-10-31T01:30:00Z)
fi
mkdir -p build/every-hour
failed=0
for at in "${instants[@]}"; do
  offset=$(( $(date -u -d "$at" +%s) - $(date -u +%s) ))
  log="build/every-hour/${at//:/}.log"
  start=$(date +%s)
  if (cd build && FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "+${offset}s" \
        ctest --timeout 300 -j"${PIKET_TEST_JOBS:-3}" --output-on-failure) >"$log" 2>&1; then
    echo "$at  passed  ($(( $(date +%s) - start )) s)"
    rm -f "$log"
  else
    failed=1
    echo "$at  FAILED  ($(grep -c 'Failed\|\*\*\*Timeout' "$log" || true) tests; see $log)"
  fi
done
exit "$failed"
