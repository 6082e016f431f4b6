#!/usr/bin/env bash
# kcat scenario without consumer groups: keyed produce (acks=-1) to an auto-created topic,
# -L / -L -J metadata, -C -e read-back with keys/values/offsets, one round trip per
# compression codec, -Q end offset. Usage: kcat.sh BOOTSTRAP   (SCENARIO_TIMEOUT_S, default 120)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

STEP_TIMEOUT=${KCAT_STEP_TIMEOUT_S:-30}   # each kcat invocation
CODECS="gzip snappy lz4 zstd"
FIRST=25                                 # keyed lines in the first produce
PER_CODEC=8                              # lines per codec round trip

label() {
  local v
  v=$(kcat -V 2>/dev/null | sed -n 's/^Version \([^ ]*\) .*librdkafka \([^ ]*\).*/kcat \1 (librdkafka \2)/p')
  echo "${v:-kcat ?}"
}

inner() {
  local B=$1 W=$COMPAT_WORK L
  L=$(label)
  step() { echo "$*" >"$W/step"; echo "== $*" >>"$W/log"; }
  fail() { echo "FAIL $L: $*"; exit 1; }
  k() { timeout -k 2 "$STEP_TIMEOUT" kcat -b "$B" "$@" 2>>"$W/log"; }

  local T; T=$(compat_unique_topic compat-kcat)
  echo "topic $T bootstrap $B" >>"$W/log"

  step "produce $FIRST keyed lines with acks=-1 (auto-create)"
  local i; for i in $(seq 0 $((FIRST - 1))); do printf 'key%02d:value-%02d\n' "$i" "$i"; done >"$W/in"
  k -P -t "$T" -K: -X topic.request.required.acks=-1 <"$W/in" || fail "produce exited $? (see log)"

  step "-L metadata"
  k -L -t "$T" >"$W/meta.txt" || fail "-L exited $?"
  cat "$W/meta.txt" >>"$W/log"
  grep -q "^ *1 brokers:" "$W/meta.txt" || fail "-L does not list exactly 1 broker"
  grep -q "topic \"$T\" with 1 partitions:" "$W/meta.txt" || fail "-L does not show $T with 1 partition"
  grep -q "partition 0, leader" "$W/meta.txt" || fail "-L shows no leader for partition 0"

  step "-L -J metadata"
  k -L -J -t "$T" >"$W/meta.json" || fail "-L -J exited $?"
  cat "$W/meta.json" >>"$W/log"
  local why
  why=$("$COMPAT_PY" - "$W/meta.json" "$T" <<'PY'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError as e:
    print("not JSON: %s" % e); sys.exit(0)
topics = [t for t in doc.get("topics", []) if t.get("topic") == sys.argv[2]]
brokers = doc.get("brokers", [])
if len(topics) != 1: print("topic missing from JSON"); sys.exit(0)
t = topics[0]
if t.get("error"): print("topic error %s" % t["error"]); sys.exit(0)
parts = t.get("partitions", [])
if len(parts) != 1 or parts[0].get("partition") != 0: print("expected 1 partition, got %r" % parts); sys.exit(0)
if len(brokers) != 1: print("expected 1 broker, got %r" % brokers); sys.exit(0)
if parts[0].get("leader") != brokers[0].get("id"): print("leader %r is not broker %r" % (parts[0].get("leader"), brokers[0].get("id"))); sys.exit(0)
PY
)
  [ -z "$why" ] || fail "-L -J: $why"

  step "-C -e -o beginning read-back"
  for i in $(seq 0 $((FIRST - 1))); do printf 'key%02d=value-%02d@%d\n' "$i" "$i" "$i"; done >"$W/want"
  k -C -t "$T" -e -o beginning -f '%k=%s@%o\n' >"$W/got" || fail "-C exited $?"
  if ! diff "$W/want" "$W/got" >>"$W/log"; then
    fail "-C read back $(wc -l <"$W/got") lines, not the $FIRST expected (diff in log)"
  fi

  local next=$FIRST codec pad
  pad=$(printf 'compressible-%.0s' $(seq 1 20))
  for codec in $CODECS; do
    step "codec $codec round trip from offset $next"
    for i in $(seq 0 $((PER_CODEC - 1))); do printf '%s-%d:%s-%d-%s\n' "$codec" "$i" "$codec" "$i" "$pad"; done >"$W/in.$codec"
    k -P -t "$T" -K: -z "$codec" -X topic.request.required.acks=-1 <"$W/in.$codec" || fail "produce -z $codec exited $?"
    for i in $(seq 0 $((PER_CODEC - 1))); do printf '%s-%d=%s-%d-%s@%d\n' "$codec" "$i" "$codec" "$i" "$pad" $((next + i)); done >"$W/want.$codec"
    k -C -t "$T" -e -o "$next" -f '%k=%s@%o\n' >"$W/got.$codec" || fail "-C after -z $codec exited $?"
    if ! diff "$W/want.$codec" "$W/got.$codec" >>"$W/log"; then
      fail "-z $codec round trip: read $(wc -l <"$W/got.$codec") lines from offset $next, not the $PER_CODEC expected (diff in log)"
    fi
    next=$((next + PER_CODEC))
  done

  step "-Q end and beginning offsets"
  local q
  q=$(k -Q -t "$T:0:-1") || fail "-Q exited $?"
  echo "$q" >>"$W/log"
  [ "$q" = "$T [0] offset $next" ] || fail "-Q $T:0:-1 said '$q', want end offset $next"
  q=$(k -Q -t "$T:0:-2") || fail "-Q (beginning) exited $?"
  echo "$q" >>"$W/log"
  [ "$q" = "$T [0] offset 0" ] || fail "-Q $T:0:-2 said '$q', want offset 0"

  echo "PASS $L: auto-created topic, $FIRST keyed acks=-1, -L, -L -J, -C -e offsets 0-$((FIRST - 1)), $(echo $CODECS | tr ' ' '/') round trips, -Q end $next"
}

if [ "${1:-}" = "--inner" ]; then shift; inner "$@"; exit $?; fi
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
if ! command -v kcat >/dev/null; then
  echo "FAIL kcat: not installed (run compat/core/install.sh)"; exit 1
fi
W=$(compat_free_tmp kcat)
compat_run "$(label)" "$W" "$0" --inner "$1"
