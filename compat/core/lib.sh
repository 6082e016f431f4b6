# Shared by the compat/core scenario wrappers (sourced, not executed).
#
# Contract of every scenario: exactly one line on stdout, "PASS <client> ..." or
# "FAIL <client>: <reason>", exit status 0 only for PASS. On FAIL the tail of the
# scenario's detail log goes to stderr (for CI output), never to stdout.

COMPAT_PY=${COMPAT_PYTHON:-/usr/bin/python3}   # Debian's python3-kafka / python3-confluent-kafka live here only

compat_free_tmp() { mktemp -d "${TMPDIR:-/tmp}/compat-$1.XXXXXX"; }

# compat_unique_topic PREFIX -> a topic name unique for this run
compat_unique_topic() { printf '%s-%s-%s-%s' "$1" "$(date +%s)" "$$" "$RANDOM"; }

# compat_run LABEL WORKDIR CMD... : runs CMD under a hard timeout of SCENARIO_TIMEOUT_S
# seconds (default 120), with COMPAT_WORK=WORKDIR in its environment. CMD prints the
# PASS/FAIL line on stdout and may write its current step to WORKDIR/step and details
# to WORKDIR/log. Prints exactly one PASS/FAIL line; returns 0 only on PASS.
compat_run() {
  local label=$1 work=$2; shift 2
  local limit=${SCENARIO_TIMEOUT_S:-120} rc line
  COMPAT_WORK=$work COMPAT_DEADLINE_S=$limit timeout -k 5 "$limit" "$@" >"$work/stdout" 2>>"$work/log"
  rc=$?
  line=$(grep -E '^(PASS|FAIL) ' "$work/stdout" | tail -n 1)
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    line="FAIL $label: timed out after ${limit}s (step: $(cat "$work/step" 2>/dev/null || echo '?'))"
  elif [ -z "$line" ]; then
    line="FAIL $label: exited $rc without a result (step: $(cat "$work/step" 2>/dev/null || echo '?'))"
  elif [ "$rc" -ne 0 ] && [ "${line#PASS}" != "$line" ]; then
    line="FAIL $label: printed PASS but exited $rc"
  fi
  echo "$line"
  if [ "${line#PASS}" != "$line" ]; then
    [ -n "${COMPAT_KEEP:-}" ] || rm -rf "$work"
    return 0
  fi
  {
    echo "---- $label: last lines of $work/log ----"
    tail -n "${COMPAT_LOG_LINES:-60}" "$work/log" 2>/dev/null
    echo "---- end ----"
  } >&2
  return 1
}
