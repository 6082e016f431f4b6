#!/usr/bin/env bash
# confluent-kafka scenario with consumer groups. Usage: confluent-kafka-groups.sh BOOTSTRAP
# (SCENARIO_TIMEOUT_S, default 120; COMPAT_PYTHON, default /usr/bin/python3;
#  COMPAT_RDKAFKA_DEBUG=protocol,broker,cgrp for librdkafka debug in the failure log)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
if ! V=$(cd / && "$COMPAT_PY" -c 'import confluent_kafka as c; print("%s (librdkafka %s)" % (c.version()[0], c.libversion()[0]))' 2>/dev/null); then
  echo "FAIL confluent-kafka groups: module confluent_kafka not importable by $COMPAT_PY (run compat/core/install.sh)"; exit 1
fi
W=$(compat_free_tmp confluent-kafka-groups)
compat_run "confluent-kafka $V groups" "$W" "$COMPAT_PY" "$HERE/confluent_kafka_groups.py" "$1" "$(compat_unique_topic compat-ckg)"
