#!/usr/bin/env bash
# kafka-python scenario with consumer groups. Usage: kafka-python-groups.sh BOOTSTRAP
# (SCENARIO_TIMEOUT_S, default 120; COMPAT_PYTHON, default /usr/bin/python3)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
if ! V=$(cd / && "$COMPAT_PY" -c 'import kafka; print(kafka.__version__)' 2>/dev/null); then
  echo "FAIL kafka-python groups: module kafka not importable by $COMPAT_PY (run compat/core/install.sh)"; exit 1
fi
W=$(compat_free_tmp kafka-python-groups)
compat_run "kafka-python $V groups" "$W" "$COMPAT_PY" "$HERE/kafka_python_groups.py" "$1" "$(compat_unique_topic compat-kpyg)"
