#!/usr/bin/env bash
# The client compatibility matrix: starts one broker on 127.0.0.1 (Fjord from this checkout, or Apache
# Kafka 4.4.0 with --against-kafka), runs every scenario against it (the compat/core scripts, the
# kafka-clients 2.8/3.9/4.4 program, Kafka Streams, Spring Kafka), stops it, and writes the cells.
#
#   compat/run-matrix.sh [--against-kafka] [--out FILE]
#
#   default      results to compat/matrix/fjord.tsv (or kafka.tsv), then docs/COMPATIBILITY.md from both
#                brokers' results (the other one as last committed).
#   --out FILE   the doc to FILE and the results beside it (DIR/fjord.tsv), the repo's files untouched (CI).
#
# Exit status 1 on a regression (a cell that PASSes in the committed compat/matrix/<broker>.tsv is not PASS
# now), on a Fjord FAIL that compat/known-gaps.tsv does not list, and on any FAIL against Kafka.
# Needs compat/install.sh first. Environment: MATRIX_UNITS (a subset, e.g. "core:kcat java:2.8 streams
# spring"), JAVA_HOME, plus each scenario's own (compat/README.md). Scenario output: compat/README.md.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

BROKER=fjord; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --against-kafka) BROKER=kafka ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run-matrix.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$OUT" ]; then
  mkdir -p "$(dirname "$OUT")"; OUT="$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")"
  RESULTS="$(dirname "$OUT")/$BROKER.tsv"
else
  OUT="$ROOT/docs/COMPATIBILITY.md"; RESULTS="$HERE/matrix/$BROKER.tsv"
fi
OTHER="$HERE/matrix/$([ "$BROKER" = fjord ] && echo kafka || echo fjord).tsv"

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PY=python3
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "run-matrix: $*"; exit 1; }
# fetch_kafka, free_port, prepare_/start_kafka, start_fjord, stop_broker: shared with bench/run.sh
. "$ROOT/bench/lib/brokers.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/compat-matrix.XXXXXX")"
cleanup() {
  [ -n "$BROKER_PID" ] && stop_broker
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

UNITS="${MATRIX_UNITS:-core:kcat core:kafka-python core:confluent-kafka core:confluent-admin-ops core:kafka-python-groups core:confluent-kafka-groups core:kafkajs-groups core:cli-groups core:kafka-cli-ops java:4.4 java:3.9 java:2.8 streams spring}"

# ---------------------------------------------------------------- the broker
mkdir -p "$WORK/data"
PORT="$(free_port)"
BOOTSTRAP="127.0.0.1:$PORT"
if [ "$BROKER" = kafka ]; then
  fetch_kafka broker
  prepare_kafka "$PORT" "$WORK/data"
  start_kafka "$PORT" "$WORK/data"
  SOURCE="Apache Kafka 4.4.0 (kafka_2.13 from Maven Central, single KRaft node)"
else
  "$ROOT/bin/fjord" version >/dev/null || die "cannot build Fjord"
  start_fjord "$PORT" "$WORK/data"
  SOURCE="Fjord $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$ROOT" && git diff --quiet HEAD -- . ':!compat/matrix' ':!docs/COMPATIBILITY.md' 2>/dev/null || echo ' (modified)')"
fi
log "$SOURCE on $BOOTSTRAP (PID $BROKER_PID)"
$PY "$ROOT/bench/lib/probe.py" "$BOOTSTRAP" 120 "$BROKER_PID" >/dev/null \
  || { tail -n 40 "$WORK/data.log" >&2; die "$BROKER did not answer a Metadata request within 120 s"; }

# ---------------------------------------------------------------- the scenarios
RAW="$WORK/raw.txt"
: >"$RAW"
for u in $UNITS; do
  case "$u" in
    core:*) cmd=("$HERE/core/${u#core:}.sh" "$BOOTSTRAP"); limit=$(( ${SCENARIO_TIMEOUT_S:-120} + 30 )) ;;
    java:*) cmd=("$HERE/java/kafka-clients.sh" "$BOOTSTRAP" "${u#java:}"); limit=900 ;;
    streams) cmd=("$HERE/streams/wordcount.sh" "$BOOTSTRAP"); limit=300 ;;
    spring) cmd=("$HERE/spring/spring.sh" "$BOOTSTRAP"); limit=300 ;;
    *) die "unknown unit '$u'" ;;
  esac
  t0=$(date +%s)
  echo "UNIT $u" >>"$RAW"
  timeout -k 5 "$limit" "${cmd[@]}" >"$WORK/unit.out" 2>"$WORK/unit.err"
  rc=$?
  cat "$WORK/unit.out" >>"$RAW"
  echo "END $u $rc $(( $(date +%s) - t0 ))" >>"$RAW"
  if [ "$rc" -eq 0 ]; then
    log "$u: ok in $(( $(date +%s) - t0 )) s"
  else
    log "$u: exit $rc in $(( $(date +%s) - t0 )) s"
    grep -E '^(FAIL |CELL .* FAIL )' "$WORK/unit.out" >&2
    tail -n 40 "$WORK/unit.err" >&2
  fi
  kill -0 "$BROKER_PID" 2>/dev/null || { tail -n 40 "$WORK/data.log" >&2; die "the $BROKER broker died during $u"; }
done
stop_broker

mkdir -p "$(dirname "$RESULTS")"
BASELINE="$HERE/matrix/$BROKER.tsv"
if [ "$RESULTS" = "$BASELINE" ] && [ -f "$BASELINE" ]; then cp "$BASELINE" "$WORK/baseline.tsv"; BASELINE="$WORK/baseline.tsv"; fi
$PY "$HERE/matrix.py" --broker "$BROKER" --raw "$RAW" --results "$RESULTS" --baseline "$BASELINE" \
  --other "$OTHER" --gaps "$HERE/known-gaps.tsv" --doc "$OUT" --source "$SOURCE" ${MATRIX_UNITS:+--partial}
