#!/usr/bin/env bash
# The Java kafka-clients scenarios (CompatClient.java) with one client version's jars.
# Usage: kafka-clients.sh BOOTSTRAP VERSION [CELL...]   VERSION: 2.8, 3.9 or 4.4 (jars in lib-VERSION/,
# fetched by compat/install.sh). Prints one "CELL ..." line per cell (compat/README.md); the client's
# own log goes to stderr only on failure (or always with COMPAT_VERBOSE=1). Exits 0 only if no cell failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 BOOTSTRAP VERSION [CELL...]" >&2; exit 2; }
B=$1 V=$2; shift 2
LIB="$HERE/lib-$V"
ls "$LIB"/kafka-clients-*.jar >/dev/null 2>&1 || { echo "CELL kafka-clients $V all FAIL not installed: run compat/install.sh"; exit 1; }
JAVA=${COMPAT_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
LOG=$(mktemp "${TMPDIR:-/tmp}/compat-kafka-clients-$V.XXXXXX")
# java's single-file source launcher: compiled in memory against this version's API, nothing written
"$JAVA" -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel="${COMPAT_CLIENT_LOG_LEVEL:-warn}" \
  -cp "$LIB/*" "$HERE/CompatClient.java" "$B" "$@" 2>"$LOG"
rc=$?
if [ "$rc" -ne 0 ] || [ -n "${COMPAT_VERBOSE:-}" ]; then
  echo "---- kafka-clients $V: last lines of its log ----" >&2
  tail -n "${COMPAT_LOG_LINES:-80}" "$LOG" >&2
fi
rm -f "$LOG"
exit "$rc"
