# Broker lifecycle shared by bench/run.sh and compat/run-matrix.sh (sourced, not executed): fetch Apache
# Kafka 4.4.0 from Maven Central once, format and start it, or start Fjord from this checkout, on
# 127.0.0.1; stop the one we started by its PID.
#
# The caller defines JAVA, PY (a python3), log and die. start_* set BROKER_PID; stop_broker clears it.
# A broker's own log goes to DATA.log beside its data dir DATA (Kafka also writes DATA.gc.log and
# DATA.format.log), so put DATA inside a temp dir of the caller's.
BROKERS_BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BROKERS_ROOT="$(cd "$BROKERS_BENCH_DIR/.." && pwd)"
BROKERS_CACHE="$BROKERS_BENCH_DIR/.cache"
BROKER_CP="$BROKERS_CACHE/kafka-broker/*"
BROKER_PID=""

fetch_kafka() {   # fetch_kafka broker|tools: the artifact and its runtime closure from Maven Central, once
  local kind="$1" pom="$BROKERS_BENCH_DIR/kafka-$1.pom.xml" dir="$BROKERS_CACHE/kafka-$1"
  local stamp; stamp="$(cksum < "$pom")"
  if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$stamp" ]; then return; fi
  log "fetching kafka-$kind jars from Maven Central into $dir"
  rm -rf "$dir" "$dir.tmp"
  (cd "$BROKERS_ROOT" && ./mvnw -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$dir.tmp") \
    || die "could not fetch kafka-$kind (network access to Maven Central needed once)"
  echo "$stamp" > "$dir.tmp/.complete"
  mv "$dir.tmp" "$dir"
}

free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

prepare_kafka() {   # prepare_kafka PORT DATA: config and storage format, before the clock starts
  local port="$1" data="$2" cport cluster_id
  cport="$(free_port)"
  cat > "$data/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  # A fresh cluster id (what kafka-storage.sh random-uuid prints: 16 random bytes, URL-safe base64),
  # then a standalone single-voter KRaft format. Not part of the timed start: Fjord needs no such step.
  cluster_id="$($PY -c 'import base64, os
while True:
    s = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not s.startswith("-"): print(s); break')"
  "$JAVA" -Dlog4j2.configurationFile="$BROKERS_BENCH_DIR/lib/log4j2-kafka-tools.properties" -cp "$BROKER_CP" \
    kafka.tools.StorageTool format --standalone --cluster-id "$cluster_id" --config "$data/server.properties" \
    > "$data.format.log" 2>&1 || { cat "$data.format.log" >&2; die "kafka storage format"; }
}

start_kafka() {   # start_kafka PORT DATA
  local data="$2"
  # kafka-server-start.sh: heap 1G, kafka-run-class.sh's performance flags, GC log, local JMX.
  "$JAVA" -Xmx1G -Xms1G -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true \
    "-Xlog:gc*:file=$data.gc.log:time,tags:filecount=10,filesize=100M" \
    -Dcom.sun.management.jmxremote -Dcom.sun.management.jmxremote.authenticate=false \
    -Dcom.sun.management.jmxremote.ssl=false -Dkafka.logs.dir="$data" \
    -Dlog4j2.configurationFile="$BROKERS_BENCH_DIR/lib/log4j2-kafka-broker.properties" \
    -cp "$BROKER_CP" kafka.Kafka "$data/server.properties" > "$data.log" 2>&1 < /dev/null &
  BROKER_PID=$!
}

prepare_fjord() { :; }   # nothing to prepare: Fjord creates its data dir's contents itself

start_fjord() {   # start_fjord PORT DATA: as the README starts it, plus the same rebalance delay as Kafka
  "$BROKERS_ROOT/bin/fjord" server --override "listeners=PLAINTEXT://127.0.0.1:$1" --override "log.dirs=$2" \
    --override group.initial.rebalance.delay.ms=0 > "$2.log" 2>&1 < /dev/null &
  BROKER_PID=$!
}

stop_broker() {   # SIGTERM to our broker's PID, SIGKILL after 60 s
  local pid="$BROKER_PID" i
  BROKER_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then log "PID $pid still running after 60 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
