#!/usr/bin/env bash
# Fjord vs Apache Kafka 4.4.0 on this machine, same JDK, same perf tools, rounds interleaved
# (Kafka, Fjord, Kafka, Fjord, ...) so that drift of the machine hits both alike.
#
#   bench/run.sh [--smoke] [--rounds N] [--out DIR]
#
#   --smoke     tiny sizes, one round (1-2 minutes): checks both brokers run and every figure parses;
#               exits non-zero otherwise. Report in bench/.cache/smoke/ (not the repo's BENCHMARKS.md).
#   --rounds N  rounds per broker (default 3; smoke 1). Each figure is the median over rounds.
#   --out DIR   raw results, tool output and chart (default bench/results/; the full run also writes
#               BENCHMARKS.md at the repo root).
#
# What it does, what each figure means and how to read it: bench/README.md.
# Environment: JAVA_HOME (one JDK for both brokers and all tools), TMPDIR (brokers' data dirs).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
COMMAND="bench/run.sh $*"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"   # before this script adds any load (fetch, build)

SMOKE=0; ROUNDS=""; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$SMOKE" = 1 ]; then
  : "${ROUNDS:=1}"; OUT="${OUT:-$HERE/.cache/smoke}"
  RECORDS=20000; WARMUP_RECORDS=0; E2E_RECORDS=500; HEADTAIL_ROUNDS=5; LIMIT_MIB=64; IDLE_S=1; TOOL_TIMEOUT_S=300
  COLD_STARTS=1; SETTLE_S=0
  REPORT_MD="$OUT/BENCHMARKS.md"
else
  : "${ROUNDS:=3}"; OUT="${OUT:-$HERE/results}"
  RECORDS=1000000; WARMUP_RECORDS=200000; E2E_RECORDS=10000; HEADTAIL_ROUNDS=50; LIMIT_MIB=1024; IDLE_S=5; TOOL_TIMEOUT_S=1800
  COLD_STARTS=5; SETTLE_S=2
  REPORT_MD="$ROOT/BENCHMARKS.md"
fi
RECORD_SIZE=1024
GROUP_MEMBERS=10
KAFKA_VERSION=4.4.0
KAFKA_TOOLS_VERSION=4.4.0
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
PY=python3
CACHE="$HERE/.cache"
# fetch_kafka, free_port, prepare_/start_kafka, prepare_/start_fjord, stop_broker (shared with compat/run-matrix.sh)
. "$HERE/lib/brokers.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/fjord-bench.XXXXXX")"
cleanup() {
  [ -n "$BROKER_PID" ] && stop_broker
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------- jars, helpers, Fjord build

mkdir -p "$CACHE" "$OUT"
fetch_kafka broker
fetch_kafka tools
TOOLS_CP="$CACHE/kafka-tools/*"

# The bench's own Java clients, compiled once per source change against the tools' kafka-clients.
CLASSES="$CACHE/classes-$(cat "$HERE/lib/BenchClient.java" "$HERE/group-join/ThirdConsumerJoin.java" | cksum | cut -d' ' -f1)"
if [ ! -d "$CLASSES" ]; then
  "$JAVAC" -nowarn -d "$CLASSES.tmp" -cp "$TOOLS_CP" "$HERE/lib/BenchClient.java" "$HERE/group-join/ThirdConsumerJoin.java"
  mv "$CLASSES.tmp" "$CLASSES"
fi

"$ROOT/bin/fjord" version >/dev/null   # builds Fjord (and its class-data archive) now, not during a timed start

tool() {   # tool CLASS ARGS...: a Kafka perf tool or bench client, heap as kafka-producer-perf-test.sh
  timeout "$TOOL_TIMEOUT_S" "$JAVA" -Xmx512M -Dlog4j2.configurationFile="$HERE/lib/log4j2-kafka-tools.properties" \
    -cp "$CLASSES:$TOOLS_CP" "$@"
}

# ---------------------------------------------------------------- results
RESULTS="$OUT/results.tsv"
RAW="$OUT/raw"
rm -rf "$RAW"; mkdir -p "$RAW"
printf 'round\tbroker\tmetric\tvalue\n' > "$RESULTS"
ROUND=0; BROKER=""
emit() { printf '%s\t%s\t%s\t%s\n' "$ROUND" "$BROKER" "$1" "$2" >> "$RESULTS"; }
emit_lines() { local m v; while read -r m v; do emit "$m" "$v"; done; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$BROKER_PID/stat"; }   # utime + stime of the broker
CLK_TCK="$(getconf CLK_TCK)"
rss_mib() { awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$BROKER_PID/status"; }

# ---------------------------------------------------------------- phases
produce() {   # produce NAME TOPIC RECORDS PRODUCER-PROPS...: ProducerPerformance, throughput unlimited
  local name="$1" topic="$2" n="$3"; shift 3
  tool org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$topic" \
    --num-records "$n" --record-size "$RECORD_SIZE" --throughput -1 --command-property "$@" \
    > "$RAW/$ROUND-$BROKER-producer-$name.txt" 2>&1 || true
  $PY "$HERE/lib/parse.py" producer "$RAW/$ROUND-$BROKER-producer-$name.txt" "prod_$name"
}

consume() {   # consume NAME TOPIC RECORDS: ConsumerPerformance reads the topic back
  tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" --topic "$2" \
    --num-records "$3" --timeout 60000 > "$RAW/$ROUND-$BROKER-consumer-$1.txt" 2>&1 || true
  $PY "$HERE/lib/parse.py" consumer "$RAW/$ROUND-$BROKER-consumer-$1.txt" "cons_$1"
}

# create_topic NAME:PARTITIONS...: topics are not deleted; the broker's data dir goes at the end of its round.
# The client's retry warnings (Kafka's NOT_LEADER_OR_FOLLOWER while it sets up 1,000 partitions) go to raw/.
create_topic() {
  tool BenchClient create "$BOOTSTRAP" "$@" 2>> "$RAW/$ROUND-$BROKER-create-topics.txt" \
    || { tail -n 20 "$RAW/$ROUND-$BROKER-create-topics.txt" >&2; die "$BROKER: create topics $*"; }
}

# cold_start PORT DATA: sets COLD_MS to the ms from launching the broker to its first Metadata answer; the
# broker stays up (BROKER_PID). Before the clock starts: the broker's preparation (Kafka's storage format), then
# `sync` and a pause, so that the previous phase's deletions and page-cache write-back do not land in the
# figure (both brokers alike).
cold_start() {
  local t0 t1
  "prepare_$BROKER" "$1" "$2"
  sync; sleep "$SETTLE_S"
  t0="$(date +%s%3N)"
  "start_$BROKER" "$1" "$2"
  t1="$($PY "$HERE/lib/probe.py" "127.0.0.1:$1" 120 "$BROKER_PID")" && kill -0 "$BROKER_PID" 2>/dev/null \
    || { tail -n 30 "$2.log" >&2; die "$BROKER exited or did not answer a Metadata request within 120 s"; }
  COLD_MS="$((t1 - t0))"
}

# rotated N ITEM...: the items rotated left by N-1 places (round N's order of a set of phases). Each broker's
# round writes ~8 GB; on this machine (a VM whose freed memory goes back to the host) page-cache writes get
# slower once a round has written a few GB, so a phase's position in the round matters (bench/ANALYSIS.md).
# Rotating the order from round to round gives every phase each position, for both brokers alike.
rotated() {
  local n="$1" i; shift
  local items=("$@")
  for i in "${!items[@]}"; do printf '%s\n' "${items[$(( (i + n - 1) % ${#items[@]} ))]}"; done
}

bench_broker() {   # one round of one broker, fresh process and data dir
  local data port c0 c1 c2 name props lines i
  data="$(mktemp -d "$WORK/$BROKER-data.XXXXXX")"
  port="$(free_port)"
  BOOTSTRAP="127.0.0.1:$port"
  log "round $ROUND: $BROKER on $BOOTSTRAP"

  # Cold start: process launch -> first Metadata answer listing a broker (our own wire probe); the round's
  # figure is the median of COLD_STARTS launches, each on a fresh data dir, the last one the broker the
  # round goes on with.
  local starts=() cold cport
  for i in $(seq 2 "$COLD_STARTS"); do
    cold="$(mktemp -d "$WORK/$BROKER-cold.XXXXXX")"; cport="$(free_port)"
    cold_start "$cport" "$cold"; starts+=("$COLD_MS")
    stop_broker
    rm -rf "$cold" "$cold".*
  done
  cold_start "$port" "$data"; starts+=("$COLD_MS")
  printf '%s\n' "${starts[@]}" > "$RAW/$ROUND-$BROKER-cold-starts.txt"
  emit cold_start_ms "$(printf '%s\n' "${starts[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  sleep "$IDLE_S"
  emit rss_idle_mib "$(rss_mib VmRSS)"

  # Warm-up (not reported): JIT and first-use costs of both the broker and the tools' paths.
  create_topic warmup:1 acks1-default:1 acks1-b64k-l5:1 acksall-default:1 acksall-b64k-l5:1 e2e:1
  if [ "$WARMUP_RECORDS" -gt 0 ]; then
    produce warmup warmup "$WARMUP_RECORDS" acks=1 > /dev/null || die "warm-up produce"
    consume warmup warmup "$WARMUP_RECORDS" > /dev/null || die "warm-up consume"
  fi

  local prod_ticks=0 cons_ticks=0 prod_bytes=0 cons_bytes=0
  for name in $(rotated "$ROUND" acks1-default acks1-b64k-l5 acksall-default acksall-b64k-l5); do
    case "$name" in
      acks1-default) props="acks=1" ;;
      acks1-b64k-l5) props="acks=1 batch.size=65536 linger.ms=5" ;;
      acksall-default) props="acks=all" ;;
      acksall-b64k-l5) props="acks=all batch.size=65536 linger.ms=5" ;;
    esac
    c0="$(cpu_ticks)"
    # shellcheck disable=SC2086
    lines="$(produce "$name" "$name" "$RECORDS" $props)" || die "$BROKER produce $name"
    c1="$(cpu_ticks)"
    emit_lines <<< "$lines"
    lines="$(consume "$name" "$name" "$RECORDS")" || die "$BROKER consume $name"
    c2="$(cpu_ticks)"
    emit_lines <<< "$lines"
    prod_ticks=$((prod_ticks + c1 - c0)); cons_ticks=$((cons_ticks + c2 - c1))
    prod_bytes=$((prod_bytes + RECORDS * RECORD_SIZE)); cons_bytes=$((cons_bytes + RECORDS * RECORD_SIZE))
    if [ "$name" = acks1-default ]; then
      # Head vs tail of a long log (RECORDS records in one partition).
      tool BenchClient headtail "$BOOTSTRAP" "$name" "$HEADTAIL_ROUNDS" > "$RAW/$ROUND-$BROKER-headtail.txt" \
        || die "$BROKER head/tail fetch"
      emit_lines < "$RAW/$ROUND-$BROKER-headtail.txt"
    fi
  done
  emit cpu_s_per_gib_produced "$(awk -v t="$prod_ticks" -v hz="$CLK_TCK" -v b="$prod_bytes" 'BEGIN { printf "%.3f", t / hz / (b / 1073741824) }')"
  emit cpu_s_per_gib_consumed "$(awk -v t="$cons_ticks" -v hz="$CLK_TCK" -v b="$cons_bytes" 'BEGIN { printf "%.3f", t / hz / (b / 1073741824) }')"

  tool org.apache.kafka.tools.EndToEndLatency --bootstrap-server "$BOOTSTRAP" --topic e2e \
    --num-records "$E2E_RECORDS" --producer-acks 1 --record-size "$RECORD_SIZE" > "$RAW/$ROUND-$BROKER-e2e.txt" 2>&1 || true
  lines="$($PY "$HERE/lib/parse.py" e2e "$RAW/$ROUND-$BROKER-e2e.txt" e2e)" || die "$BROKER end-to-end latency"
  emit_lines <<< "$lines"

  # Scale: the same produce (acks=1, default batching) over 1, 100 and 1,000 partitions, back to back, in
  # rotated order (see rotated). The single partition is measured here again rather than taken from
  # acks1-default, so that the three come from the same stretch of the round.
  for name in $(rotated "$ROUND" 1 100 1000); do
    create_topic "p$name:$name"
    lines="$(produce "p$name" "p$name" "$RECORDS" acks=1)" || die "$BROKER produce over $name partitions"
    emit_lines <<< "$lines"
  done
  tool BenchClient group "$BOOTSTRAP" group10 "$GROUP_MEMBERS" > "$RAW/$ROUND-$BROKER-group.txt" \
    || die "$BROKER group of $GROUP_MEMBERS"
  emit_lines < "$RAW/$ROUND-$BROKER-group.txt"
  tool ThirdConsumerJoin "$BOOTSTRAP" org.apache.kafka.clients.consumer.RangeAssignor 1 \
    > "$RAW/$ROUND-$BROKER-third-join.txt" || die "$BROKER third consumer join"
  emit third_consumer_join_ms "$(awk '/^third-consumer-join-ms/ { print $2 }' "$RAW/$ROUND-$BROKER-third-join.txt")"

  emit rss_after_load_mib "$(rss_mib VmRSS)"
  emit rss_peak_mib "$(rss_mib VmHWM)"
  stop_broker
  cp "$data.log" "$RAW/$ROUND-$BROKER-server.log"
  rm -rf "$data" "$data".*
}

# ---------------------------------------------------------------- run
{
  printf 'key\tvalue\n'
  printf 'command\t%s\n' "$COMMAND"
  printf 'mode\t%s\n' "$([ "$SMOKE" = 1 ] && echo smoke || echo full)"
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf 'cores\t%s\n' "$(nproc)"
  printf 'ram_gib\t%s\n' "$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -r)"
  printf 'jdk\t%s\n' "$("$JAVA" -version 2>&1 | sed -n 2p)"
  printf 'kafka\t%s (tools %s)\n' "$KAFKA_VERSION" "$KAFKA_TOOLS_VERSION"
  printf 'fjord\t%s\n' "$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)$(cd "$ROOT" && git diff --quiet HEAD -- . ':!bench/results' ':!BENCHMARKS.md' 2>/dev/null || echo ' (modified)')"
  printf 'records\t%s\n' "$RECORDS"
  printf 'record_size\t%s\n' "$RECORD_SIZE"
  printf 'e2e_records\t%s\n' "$E2E_RECORDS"
  printf 'rounds\t%s\n' "$ROUNDS"
  printf 'data_dir\t%s\n' "$(df -P "$WORK" | awk 'NR == 2 { print $1 " mounted on " $6 }')"
  printf 'load_start\t%s\n' "$LOAD_BEFORE"
} > "$OUT/meta.tsv"

LOAD1="${LOAD_BEFORE%% *}"
if awk -v l="$LOAD1" 'BEGIN { exit !(l >= 1.5) }'; then
  log "warning: 1-minute load average $LOAD1 >= 1.5: other work competes with the brokers; the figures will not be valid"
fi
for ROUND in $(seq 1 "$ROUNDS"); do
  BROKER=machine
  log "round $ROUND: limits of the machine"
  $PY "$HERE/lib/limits.py" "$WORK" "$LIMIT_MIB" | emit_lines
  for BROKER in kafka fjord; do
    bench_broker
  done
done
printf 'load_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.tsv"

CHECK=""; [ "$SMOKE" = 1 ] && CHECK="--check"
$PY "$HERE/lib/report.py" $CHECK "$OUT" "$REPORT_MD" "$OUT/benchmarks.svg"
