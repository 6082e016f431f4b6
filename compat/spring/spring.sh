#!/usr/bin/env bash
# The Spring Boot + spring-kafka application (CompatSpringApp.java), compiled once per source change into
# classes/ (gitignored) on the jars in lib/ (compat/install.sh). Usage: spring.sh BOOTSTRAP.
# Prints one "CELL spring-kafka <version> app ..." line (compat/README.md); the application's log goes to
# stderr on failure (or always with COMPAT_VERBOSE=1). Exits 0 only on PASS.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
ls "$HERE"/lib/spring-kafka-*.jar >/dev/null 2>&1 || { echo "CELL spring-kafka ? app FAIL not installed: run compat/install.sh"; exit 1; }
JAVA=${COMPAT_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
JAVAC=${COMPAT_JAVAC:-${JAVA_HOME:+$JAVA_HOME/bin/}javac}
CLASSES="$HERE/classes"
sum=$(cat "$HERE/CompatSpringApp.java" "$HERE/lib/.pom.sha256" 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$CLASSES/.sha256" 2>/dev/null)" != "$sum" ]; then
  rm -rf "$CLASSES" && mkdir -p "$CLASSES"
  "$JAVAC" -nowarn -parameters -d "$CLASSES" -cp "$HERE/lib/*" "$HERE/CompatSpringApp.java" >&2 \
    || { echo "CELL spring-kafka ? app FAIL CompatSpringApp.java does not compile"; exit 1; }
  echo "$sum" >"$CLASSES/.sha256"
fi
LOG=$(mktemp "${TMPDIR:-/tmp}/compat-spring.XXXXXX")
"$JAVA" -Xmx512m -cp "$CLASSES:$HERE/lib/*" dev.fjord.compat.spring.CompatSpringApp "$1" >"$LOG" 2>&1
rc=$?
grep '^CELL ' "$LOG" || echo "CELL spring-kafka ? app FAIL exited $rc without a result"
if [ "$rc" -ne 0 ] || [ -n "${COMPAT_VERBOSE:-}" ]; then
  echo "---- spring-kafka app: last lines of its log ----" >&2
  grep -v '^CELL ' "$LOG" | tail -n "${COMPAT_LOG_LINES:-80}" >&2
fi
rm -f "$LOG"
exit "$rc"
