#!/usr/bin/env bash
# Apache Kafka CLI tools (kafka-tools 4.4.0 on its own classpath, with its own kafka-clients) with
# a consumer group: TopicCommand --create, ConsoleProducer with keys, ConsoleConsumer --group
# --from-beginning --max-messages, ConsumerGroupCommand --describe (LAG), --describe --members
# --verbose and a refused --delete while a console consumer runs, --list, --reset-offsets
# --to-earliest --execute, --delete. No kafka-topics --describe.
# Usage: cli-groups.sh BOOTSTRAP   (SCENARIO_TIMEOUT_S, default 120; COMPAT_JAVA, default java;
#  KAFKA_CLI_LIB, default compat/core/cli/lib filled by install.sh; CLI_STEP_TIMEOUT_S, default 40)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

JAVA=${COMPAT_JAVA:-java}
LIB=${KAFKA_CLI_LIB:-$HERE/cli/lib}
STEP_TIMEOUT=${CLI_STEP_TIMEOUT_S:-40}
FIRST=20
MORE=5

label() {
  local v
  v=$(ls "$LIB"/kafka-tools-[0-9]*.jar 2>/dev/null | sed -n 's/.*kafka-tools-\(.*\)\.jar$/\1/p' | head -n 1)
  echo "kafka-cli ${v:-?} groups"
}

inner() {
  local B=$1 W=$COMPAT_WORK L
  L=$(label)
  step() { echo "$*" >"$W/step"; echo "$(date +%T) == $*" >>"$W/log"; }
  fail() { echo "FAIL $L: $*"; exit 1; }
  # tool CLASS ARGS... : one JVM per call, quick to start, warnings to the log
  tool() {
    local cls=$1; shift
    timeout -k 2 "$STEP_TIMEOUT" "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Dlog4j2.configurationFile="$HERE/cli/log4j2.properties" -cp "$LIB/*" "org.apache.kafka.tools.$cls" "$@" 2>>"$W/log"
  }
  groups() { tool consumer.group.ConsumerGroupCommand --bootstrap-server "$B" "$@"; }
  # total LAG of group $1 from --describe (sums the LAG column of the group's rows)
  lag_of() {
    groups --describe --group "$1" >"$W/describe.out" || fail "--describe --group exited $?"
    cat "$W/describe.out" >>"$W/log"
    awk -v g="$1" '
      $1 == "GROUP" { for (i = 1; i <= NF; i++) if ($i == "LAG") col = i; next }
      col && $1 == g { if ($col !~ /^[0-9]+$/) { print "bad"; exit } sum += $col; rows++ }
      END { if (!col || !rows) print "none"; else if (sum != "") print sum }' "$W/describe.out"
  }

  local T G
  T=$(compat_unique_topic compat-cli)
  G="$T-group"
  echo "topic $T group $G bootstrap $B classpath $LIB" >>"$W/log"

  step "TopicCommand --create --partitions 3"
  tool TopicCommand --bootstrap-server "$B" --create --topic "$T" --partitions 3 --replication-factor 1 >>"$W/log" \
    || fail "TopicCommand --create exited $?"

  step "ConsoleProducer $FIRST keyed lines"
  local i
  for i in $(seq 1 $FIRST); do printf 'key%d:value-%d\n' $((i % 4)) "$i"; done >"$W/first.in"
  tool ConsoleProducer --bootstrap-server "$B" --topic "$T" --reader-property parse.key=true --reader-property key.separator=: \
    --command-property acks=all <"$W/first.in" >>"$W/log" || fail "ConsoleProducer exited $?"

  step "ConsoleConsumer --group --from-beginning --max-messages $FIRST"
  tool consumer.ConsoleConsumer --bootstrap-server "$B" --topic "$T" --group "$G" --from-beginning \
    --max-messages "$FIRST" --timeout-ms 20000 --formatter-property print.key=true --formatter-property key.separator=: \
    >"$W/first.out" || fail "ConsoleConsumer exited $? after $(wc -l <"$W/first.out") lines"
  if ! diff <(sort "$W/first.in") <(sort "$W/first.out") >>"$W/log"; then
    fail "ConsoleConsumer printed $(wc -l <"$W/first.out") lines, not the $FIRST produced (diff in log)"
  fi

  step "ConsoleProducer $MORE more"
  for i in $(seq 1 $MORE); do printf 'key%d:more-%d\n' "$i" "$i"; done >"$W/more.in"
  tool ConsoleProducer --bootstrap-server "$B" --topic "$T" --reader-property parse.key=true --reader-property key.separator=: \
    --command-property acks=all <"$W/more.in" >>"$W/log" || fail "ConsoleProducer (more) exited $?"

  step "ConsumerGroupCommand --describe: LAG $MORE"
  local lag
  lag=$(lag_of "$G")
  [ "$lag" = "$MORE" ] || fail "--describe --group shows total LAG '$lag', want $MORE"

  step "active member: --describe --members --verbose"
  # reads the 5 new records, then waits for a 6th that never comes until it is stopped below
  timeout -k 2 "$STEP_TIMEOUT" "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$HERE/cli/log4j2.properties" -cp "$LIB/*" org.apache.kafka.tools.consumer.ConsoleConsumer \
    --bootstrap-server "$B" --topic "$T" --group "$G" --max-messages $((MORE + 1)) --timeout-ms 30000 \
    --command-property client.id=compat-cli-member >"$W/active.out" 2>>"$W/log" &
  local bg=$! n=0 members=""
  while [ $n -lt 15 ]; do
    groups --describe --group "$G" --members --verbose >"$W/members.out" 2>>"$W/log" || true
    members=$(awk -v g="$G" '$1 == g' "$W/members.out")
    [ -n "$members" ] && [ "$(wc -l <"$W/active.out")" -ge "$MORE" ] && break
    n=$((n + 1)); sleep 0.5
  done
  cat "$W/members.out" >>"$W/log"
  [ -n "$members" ] || { kill $bg; fail "--describe --members never showed the running console consumer"; }
  # GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS ... CURRENT-ASSIGNMENT
  echo "$members" | awk -v t="$T" '{ if (NR > 1 || $4 != "compat-cli-member" || $5 != 3 || index($0, t ":0,1,2") == 0) exit 1 }' \
    || { kill $bg; fail "--describe --members --verbose: '$members', want 1 member compat-cli-member owning $T:0,1,2"; }
  [ "$(wc -l <"$W/active.out")" -eq "$MORE" ] || { kill $bg; fail "the running console consumer printed $(wc -l <"$W/active.out") lines, want the $MORE new"; }

  step "active member: --delete refused (group not empty)"
  groups --delete --group "$G" >"$W/delete-active.out" 2>&1
  cat "$W/delete-active.out" >>"$W/log"
  grep -q "GroupNotEmptyException" "$W/delete-active.out" || { kill $bg; fail "--delete of a group with a member did not fail with GroupNotEmpty"; }

  step "stop the member: it commits, LAG 0"
  kill -TERM $bg; wait $bg
  lag=$(lag_of "$G")
  [ "$lag" = 0 ] || fail "after the member read the $MORE new records and stopped, total LAG '$lag', want 0"

  step "ConsumerGroupCommand --list"
  groups --list >"$W/list.out" || fail "--list exited $?"
  grep -qxF "$G" "$W/list.out" || fail "--list does not show $G ($(wc -l <"$W/list.out") groups listed)"

  step "ConsumerGroupCommand --reset-offsets --to-earliest --execute"
  groups --reset-offsets --to-earliest --execute --group "$G" --topic "$T" >"$W/reset.out" || fail "--reset-offsets exited $?"
  cat "$W/reset.out" >>"$W/log"
  [ "$(awk -v g="$G" '$1 == g' "$W/reset.out" | wc -l)" = 3 ] || fail "--reset-offsets printed no row per partition (3)"
  lag=$(lag_of "$G")
  [ "$lag" = $((FIRST + MORE)) ] || fail "after --reset-offsets --to-earliest total LAG '$lag', want $((FIRST + MORE))"

  step "ConsumerGroupCommand --delete"
  groups --delete --group "$G" >"$W/delete.out" || fail "--delete exited $?"
  cat "$W/delete.out" >>"$W/log"
  grep -q "successful" "$W/delete.out" || fail "--delete did not report success: $(head -c 200 "$W/delete.out")"
  groups --list >"$W/list2.out" || fail "--list after --delete exited $?"
  ! grep -qxF "$G" "$W/list2.out" || fail "$G still listed after --delete"

  step "TopicCommand --delete"
  tool TopicCommand --bootstrap-server "$B" --delete --topic "$T" >>"$W/log" || fail "TopicCommand --delete exited $?"

  echo "PASS $L: TopicCommand --create, ConsoleProducer $FIRST keyed, ConsoleConsumer --group read $FIRST, +$MORE: --describe LAG $MORE; running member in --describe --members --verbose, --delete refused, LAG 0 after it stops; --list, --reset-offsets --to-earliest LAG $((FIRST + MORE)), --delete (gone from --list)"
}

if [ "${1:-}" = "--inner" ]; then shift; inner "$@"; exit $?; fi
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
if ! command -v "$JAVA" >/dev/null; then
  echo "FAIL kafka-cli groups: $JAVA not found"; exit 1
fi
if ! ls "$LIB"/kafka-tools-[0-9]*.jar >/dev/null 2>&1; then
  echo "FAIL kafka-cli groups: no kafka-tools jar in $LIB (run compat/core/install.sh)"; exit 1
fi
W=$(compat_free_tmp cli-groups)
compat_run "$(label)" "$W" "$0" --inner "$1"
