#!/usr/bin/env bash
# kafkajs scenario with consumer groups. Usage: kafkajs-groups.sh BOOTSTRAP
# (SCENARIO_TIMEOUT_S, default 120; COMPAT_NODE, default node; kafkajs from compat/core/node,
#  installed by install.sh)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
[ $# -eq 1 ] || { echo "usage: $0 BOOTSTRAP" >&2; exit 2; }
NODE=${COMPAT_NODE:-node}
if ! V=$(cd "$HERE" && "$NODE" -e 'console.log(require("./node/node_modules/kafkajs/package.json").version)' 2>/dev/null); then
  echo "FAIL kafkajs groups: $NODE or kafkajs in $HERE/node missing (run compat/core/install.sh)"; exit 1
fi
W=$(compat_free_tmp kafkajs-groups)
compat_run "kafkajs $V groups" "$W" "$NODE" "$HERE/kafkajs_groups.js" "$1" "$(compat_unique_topic compat-kjsg)"
