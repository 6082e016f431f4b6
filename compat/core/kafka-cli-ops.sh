#!/usr/bin/env bash
# Apache Kafka CLI operations scenario: kafka-topics --create --config / --describe / --alter --partitions,
# kafka-configs --alter / --describe (topics, and brokers: a dynamic cluster-wide default),
# kafka-delete-records, kafka-get-offsets (earliest after the delete), kafka-log-dirs.
# Usage: kafka-cli-ops.sh BOOTSTRAP
# Needs the Kafka tools: KAFKA_TOOLS names a launcher taking a tool class and its arguments
# (default: cli/tools.sh, over the kafka-tools jars install.sh fetches). (SCENARIO_TIMEOUT_S, default 120)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

TOOLS=${KAFKA_TOOLS:-$HERE/cli/tools.sh}
STEP_TIMEOUT=${KAFKA_CLI_STEP_TIMEOUT_S:-60}   # each tool invocation (a JVM start)
RECORDS=10
DELETE_BEFORE=4

inner() {
  local B=$1 W=$COMPAT_WORK L="kafka CLI ops"
  step() { echo "$*" >"$W/step"; echo "== $*" >>"$W/log"; }
  fail() { echo "FAIL $L: $*"; exit 1; }
  t() { timeout -k 2 "$STEP_TIMEOUT" "$TOOLS" "$@" 2>>"$W/log"; }

  local T; T=$(compat_unique_topic compat-cli)
  echo "topic $T bootstrap $B" >>"$W/log"

  step "kafka-topics --create --config retention.ms=86400000"
  t org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" --create --topic "$T" --partitions 1 \
    --config retention.ms=86400000 >>"$W/log" || fail "topics --create exited $?"

  step "kafka-topics --describe shows the override"
  t org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" --describe --topic "$T" >"$W/describe" \
    || fail "topics --describe exited $?"
  cat "$W/describe" >>"$W/log"
  grep -q "PartitionCount: 1.*Configs:.*retention.ms=86400000" "$W/describe" || fail "--describe lacks retention.ms=86400000 among its Configs"

  step "kafka-configs --alter --add-config / --delete-config, --describe"
  t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type topics --entity-name "$T" --alter \
    --add-config segment.ms=3600000,cleanup.policy=compact >>"$W/log" || fail "configs --alter --add-config exited $?"
  t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type topics --entity-name "$T" --alter \
    --delete-config cleanup.policy >>"$W/log" || fail "configs --alter --delete-config exited $?"
  t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type topics --entity-name "$T" --describe \
    >"$W/configs" || fail "configs --describe exited $?"
  cat "$W/configs" >>"$W/log"
  grep -q "segment.ms=3600000" "$W/configs" && grep -q "retention.ms=86400000" "$W/configs" \
    || fail "configs --describe lacks segment.ms=3600000 or retention.ms=86400000"
  ! grep -q "cleanup.policy=compact" "$W/configs" || fail "cleanup.policy=compact still set after --delete-config"
  if t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type topics --entity-name "$T" --alter \
      --add-config segment.ms=soon >>"$W/log" 2>&1; then
    fail "configs --alter with segment.ms=soon succeeded"
  fi

  step "kafka-configs --entity-type brokers: a cluster-wide dynamic default, seen by the topic, then removed"
  t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type brokers --entity-default --alter \
    --add-config log.cleaner.delete.retention.ms=86400001 >>"$W/log" || fail "configs --entity-default --alter exited $?"
  t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type brokers --entity-default --describe \
    >"$W/brokerconfigs" || fail "configs --entity-default --describe exited $?"
  cat "$W/brokerconfigs" >>"$W/log"
  grep -q "log.cleaner.delete.retention.ms=86400001.*DYNAMIC_DEFAULT_BROKER_CONFIG" "$W/brokerconfigs" \
    || fail "brokers --entity-default --describe lacks log.cleaner.delete.retention.ms=86400001"
  t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type topics --entity-name "$T" --describe --all \
    >"$W/topicall" || fail "configs topics --describe --all exited $?"
  grep -q "delete.retention.ms=86400001 .*DYNAMIC_DEFAULT_BROKER_CONFIG" "$W/topicall" \
    || fail "the topic does not inherit delete.retention.ms=86400001 from the dynamic default"
  if t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type brokers --entity-name 1 --alter \
      --add-config log.retention.hours=5 >>"$W/log" 2>&1; then
    fail "configs brokers --alter of log.retention.hours (not dynamic) succeeded"
  fi
  grep -q "Cannot update these configs dynamically" "$W/log" || fail "log.retention.hours not refused as not dynamic"
  t org.apache.kafka.tools.ConfigCommand --bootstrap-server "$B" --entity-type brokers --entity-default --alter \
    --delete-config log.cleaner.delete.retention.ms >>"$W/log" || fail "configs --entity-default --delete-config exited $?"

  step "console producer: $RECORDS lines"
  seq 1 "$RECORDS" | t org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$B" --topic "$T" \
    --producer-property acks=all >>"$W/log" || fail "console producer exited $?"

  step "kafka-delete-records before offset $DELETE_BEFORE"
  printf '{"partitions":[{"topic":"%s","partition":0,"offset":%d}],"version":1}\n' "$T" "$DELETE_BEFORE" >"$W/delete.json"
  t org.apache.kafka.tools.DeleteRecordsCommand --bootstrap-server "$B" --offset-json-file "$W/delete.json" >"$W/deleted" \
    || fail "delete-records exited $?"
  cat "$W/deleted" >>"$W/log"
  grep -q "partition: $T-0.*low_watermark: $DELETE_BEFORE" "$W/deleted" || fail "delete-records did not report low_watermark $DELETE_BEFORE"

  step "kafka-get-offsets earliest and latest"
  local q
  q=$(t org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$B" --topic "$T" --time -2) || fail "get-offsets -2 exited $?"
  [ "$q" = "$T:0:$DELETE_BEFORE" ] || fail "earliest offset is '$q', want $T:0:$DELETE_BEFORE"
  q=$(t org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$B" --topic "$T" --time -1) || fail "get-offsets -1 exited $?"
  [ "$q" = "$T:0:$RECORDS" ] || fail "latest offset is '$q', want $T:0:$RECORDS"

  step "kafka-topics --alter --partitions 3, then 2"
  t org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" --alter --topic "$T" --partitions 3 >>"$W/log" \
    || fail "topics --alter --partitions 3 exited $?"
  if t org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" --alter --topic "$T" --partitions 2 >>"$W/log"; then
    fail "topics --alter --partitions 2 (a decrease) succeeded"
  fi
  grep -q "InvalidPartitionsException" "$W/log" || fail "the decrease did not fail with InvalidPartitionsException"

  step "kafka-log-dirs --describe"
  t org.apache.kafka.tools.LogDirsCommand --bootstrap-server "$B" --describe --topic-list "$T" >"$W/logdirs" \
    || fail "log-dirs exited $?"
  cat "$W/logdirs" >>"$W/log"
  local why
  why=$("$COMPAT_PY" - "$W/logdirs" "$T" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text[text.index("{"):])
parts = [p["partition"] for b in doc["brokers"] for d in b["logDirs"] for p in d["partitions"]]
want = {"%s-%d" % (sys.argv[2], i) for i in range(3)}
if set(parts) != want: print("partitions %r, want %r" % (sorted(parts), sorted(want)))
PY
)
  [ -z "$why" ] || fail "log-dirs: $why"

  t org.apache.kafka.tools.TopicCommand --bootstrap-server "$B" --delete --topic "$T" >>"$W/log" || fail "topics --delete exited $?"
  echo "PASS $L: topics --create --config / --describe (Configs), configs --alter/--delete-config/--describe (bad value refused), brokers --entity-default dynamic default seen by the topic (non-dynamic key refused), console producer $RECORDS, delete-records low_watermark $DELETE_BEFORE, get-offsets earliest/latest, --alter --partitions 1->3 (3->2 refused), log-dirs 3 partitions"
}

if [ "${1:-}" = "--inner" ]; then shift; inner "$@"; exit $?; fi
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
if [ ! -x "$TOOLS" ]; then
  echo "FAIL kafka CLI ops: no Kafka tools launcher at $TOOLS (set KAFKA_TOOLS)"; exit 1
fi
W=$(compat_free_tmp kafka-cli-ops)
compat_run "kafka CLI ops" "$W" "$0" --inner "$1"
