#!/usr/bin/env bash
# Kafka Streams 4.4.0 word count, exactly_once_v2 (WordCount.java), on the jars in lib/ (compat/install.sh).
# Usage: wordcount.sh BOOTSTRAP. Prints one "CELL kafka-streams <version> app ..." line (compat/README.md);
# the log goes to stderr on failure (or always with COMPAT_VERBOSE=1). Exits 0 only on PASS.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
ls "$HERE"/lib/kafka-streams-*.jar >/dev/null 2>&1 || { echo "CELL kafka-streams 4.4.0 app FAIL not installed: run compat/install.sh"; exit 1; }
JAVA=${COMPAT_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
LOG=$(mktemp "${TMPDIR:-/tmp}/compat-streams.XXXXXX")
"$JAVA" -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel="${COMPAT_CLIENT_LOG_LEVEL:-warn}" \
  -cp "$HERE/lib/*" "$HERE/WordCount.java" "$1" 2>"$LOG"
rc=$?
if [ "$rc" -ne 0 ] || [ -n "${COMPAT_VERBOSE:-}" ]; then
  echo "---- kafka-streams word count: last lines of its log ----" >&2
  tail -n "${COMPAT_LOG_LINES:-80}" "$LOG" >&2
fi
rm -f "$LOG"
exit "$rc"
