#!/usr/bin/env bash
# Runs every compat/core scenario against BOOTSTRAP: one PASS/FAIL line per client, then
# "N passed, M failed". Exits non-zero if any failed. Failure details go to stderr.
# Usage: run.sh BOOTSTRAP   (SCENARIOS="kcat kafka-python-groups" picks a subset)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
pass=0 fail=0
for s in ${SCENARIOS:-kcat kafka-python confluent-kafka confluent-admin-ops kafka-python-groups confluent-kafka-groups kafkajs-groups cli-groups kafka-cli-ops}; do
  if [ ! -x "$HERE/$s.sh" ]; then
    echo "FAIL $s: no such scenario ($HERE/$s.sh)"; fail=$((fail + 1)); continue
  fi
  # each scenario bounds itself (SCENARIO_TIMEOUT_S); this outer limit only guards against a broken wrapper
  line=$(timeout -k 5 $(( ${SCENARIO_TIMEOUT_S:-120} + 30 )) "$HERE/$s.sh" "$1" | grep -E '^(PASS|FAIL) ' | tail -n 1)
  rc=${PIPESTATUS[0]}
  [ -n "$line" ] || line="FAIL $s: no result line (exit $rc)"
  if [ "$rc" -eq 0 ] && [ "${line#PASS }" != "$line" ]; then
    pass=$((pass + 1))
  else
    [ "${line#FAIL }" != "$line" ] || line="FAIL $s: exit $rc after '$line'"
    fail=$((fail + 1))
  fi
  echo "$line"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
