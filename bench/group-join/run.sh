#!/usr/bin/env bash
# Times a third consumer joining a two-member group (subscribe -> all three consuming), against Fjord and,
# when the anchor-kafka tools are set up beside the repo, against Apache Kafka 4.4 on the same machine.
# Usage: bench/group-join/run.sh [RUNS]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
ANCHOR="$ROOT/../shared/anchor-kafka"
RUNS="${1:-3}"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
CLIENTS="$ROOT/fjord-server/target/classpath.txt"
"$ROOT/bin/fjord" version >/dev/null   # builds if needed, writes the classpath (kafka-clients is on it)
CP="$(cat "$CLIENTS")"
for assignor in org.apache.kafka.clients.consumer.RangeAssignor org.apache.kafka.clients.consumer.CooperativeStickyAssignor; do
  P=$(free_port); D=$(mktemp -d)
  "$ROOT/bin/fjord" server --override "listeners=PLAINTEXT://127.0.0.1:$P" --override "log.dirs=$D" \
    --override group.initial.rebalance.delay.ms=0 >"$D.log" 2>&1 & FP=$!
  python3 "$ANCHOR/probe.py" wait "127.0.0.1:$P" 60 >/dev/null
  java -cp "$CP" "$HERE/ThirdConsumerJoin.java" "127.0.0.1:$P" "$assignor" "$RUNS" 2>/dev/null | sed "s/^/fjord ${assignor##*.} /"
  kill "$FP"; wait "$FP" 2>/dev/null || true; rm -rf "$D" "$D.log"
  if [ -x "$ANCHOR/start.sh" ]; then
    P=$(free_port); D=$(mktemp -d)
    "$ANCHOR/start.sh" "$P" "$D" >/dev/null
    java -cp "$CP" "$HERE/ThirdConsumerJoin.java" "127.0.0.1:$P" "$assignor" "$RUNS" 2>/dev/null | sed "s/^/kafka ${assignor##*.} /"
    "$ANCHOR/stop.sh" "$D" >/dev/null; rm -rf "$D"
  fi
done
