#!/usr/bin/env bash
# Fjord alone under the bench's producer and consumer loads, for profiling: broker CPU seconds (utime+stime
# from /proc/PID/stat) per GiB for each phase, and optionally a JFR recording of the broker.
#
#   bench/profile.sh [--records N] [--jfr FILE] [--perf FILE] [--phases "acks1-default acks1-b64k-l5 ..."]
#                    [--override key=value]...   (broker settings, as bin/fjord server takes them)
#
# Phases: acks1-default acks1-b64k-l5 acksall-default acksall-b64k-l5 (produce N x 1 KiB, then consume them),
# acks1-p1000 (acks1-default over 1,000 partitions, the bench's scale row).
# --perf records the measured phases with Linux perf (-g; the broker runs with -XX:+PreserveFramePointer and
# writes /tmp/perf-PID.map at exit for JIT symbols). A warm-up of N/5 records (produce + consume) runs first and is not counted. Needs bench/.cache from
# bench/run.sh (the Kafka tools' jars). Environment: FJORD_HEAP_OPTS / FJORD_JVM_OPTS go to bin/fjord.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OVERRIDES=(); RECORDS=1000000; JFR=""; PERF=""; PERF_PID=""; PHASES="acks1-default acks1-b64k-l5"
while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS="$2"; shift ;;
    --jfr) JFR="$2"; shift ;;
    --perf) PERF="$2"; shift ;;
    --override) OVERRIDES+=(--override "$2"); shift ;;
    --phases) PHASES="$2"; shift ;;
    *) echo "profile.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"; JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
CACHE="$HERE/.cache"; TOOLS_CP="$CACHE/kafka-tools/*"
[ -f "$CACHE/kafka-tools/.complete" ] || { echo "profile.sh: run bench/run.sh --smoke once first (tools' jars)" >&2; exit 1; }
CLASSES="$CACHE/classes-$(cat "$HERE/lib/BenchClient.java" "$HERE/group-join/ThirdConsumerJoin.java" | cksum | cut -d' ' -f1)"
if [ ! -d "$CLASSES" ]; then
  "$JAVAC" -nowarn -d "$CLASSES.tmp" -cp "$TOOLS_CP" "$HERE/lib/BenchClient.java" "$HERE/group-join/ThirdConsumerJoin.java"
  mv "$CLASSES.tmp" "$CLASSES"
fi
"$ROOT/bin/fjord" version > /dev/null
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fjord-profile.XXXXXX")"
PID=""
cleanup() {
  if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID" 2>/dev/null || true; wait "$PERF_PID" 2>/dev/null || true; fi
  if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BOOTSTRAP="127.0.0.1:$port"
opts="${FJORD_JVM_OPTS:-}"
[ -n "$JFR" ] && opts="$opts -XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true"
[ -n "$PERF" ] && opts="$opts -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit"
FJORD_JVM_OPTS="$opts" "$ROOT/bin/fjord" server --override "listeners=PLAINTEXT://$BOOTSTRAP" \
  --override "log.dirs=$WORK/data" --override group.initial.rebalance.delay.ms=0 "${OVERRIDES[@]}" > "$WORK/server.log" 2>&1 < /dev/null &
PID=$!
python3 "$HERE/lib/probe.py" "$BOOTSTRAP" 120 "$PID" > /dev/null || { cat "$WORK/server.log" >&2; exit 1; }
tool() { timeout 900 "$JAVA" -Xmx512M -Dlog4j2.configurationFile="$HERE/lib/log4j2-kafka-tools.properties" -cp "$CLASSES:$TOOLS_CP" "$@"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
uticks() { awk '{ print $14 }' "/proc/$PID/stat"; }
HZ="$(getconf CLK_TCK)"
partitions() { case "$1" in *-p1000) echo 1000 ;; *) echo 1 ;; esac; }   # partitions PHASE: its topic's partition count
per_gib() { awk -v t="$1" -v hz="$HZ" -v b="$((RECORDS * 1024))" 'BEGIN { printf "%.3f", t / hz / (b / 1073741824) }'; }
tool BenchClient create "$BOOTSTRAP" warmup:1 $(for p in $PHASES; do printf '%s:%s ' "$p" "$(partitions "$p")"; done) 2> /dev/null
tool org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOTSTRAP" --topic warmup \
  --num-records "$((RECORDS / 5))" --record-size 1024 --throughput -1 --command-property acks=1 > /dev/null 2>&1
tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" --topic warmup \
  --num-records "$((RECORDS / 5))" --timeout 60000 > /dev/null 2>&1
if [ -n "$PERF" ]; then perf record -q -F 499 -g -p "$PID" -o "$PERF" > /dev/null 2>&1 & PERF_PID=$!; fi
for name in $PHASES; do
  case "$name" in
    acks1-default|acks1-p1000) props="acks=1" ;;
    acks1-b64k-l5) props="acks=1 batch.size=65536 linger.ms=5" ;;
    acksall-default) props="acks=all" ;;
    acksall-b64k-l5) props="acks=all batch.size=65536 linger.ms=5" ;;
    *) echo "profile.sh: unknown phase $name" >&2; exit 2 ;;
  esac
  c0="$(ticks)"; u0="$(uticks)"
  # shellcheck disable=SC2086
  p="$(tool org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$name" \
    --num-records "$RECORDS" --record-size 1024 --throughput -1 --command-property $props 2>&1 | tail -1)"
  c1="$(ticks)"; u1="$(uticks)"
  c="$(tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$name" \
    --num-records "$RECORDS" --timeout 60000 2>&1 | tail -1)"
  c2="$(ticks)"; u2="$(uticks)"
  echo "$name produce: cpu_s_per_gib=$(per_gib $((c1 - c0))) (user $(per_gib $((u1 - u0)))) | $(echo "$p" | grep -o '[0-9.]* MB/sec' | head -1)"
  echo "$name consume: cpu_s_per_gib=$(per_gib $((c2 - c1))) (user $(per_gib $((u2 - u1)))) | MB/s $(echo "$c" | cut -d, -f4)"
done
if [ -n "$PERF_PID" ]; then kill -INT "$PERF_PID"; wait "$PERF_PID" || true; PERF_PID=""; fi
echo "rss_mib=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")"
