#!/usr/bin/env bash
# Runs one Kafka CLI tool class on the kafka-tools classpath that install.sh fetched into cli/lib:
#   compat/core/cli/tools.sh org.apache.kafka.tools.TopicCommand --bootstrap-server HOST:PORT --list
# (KAFKA_CLI_LIB overrides the jar folder; COMPAT_JAVA the java command.)
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=${KAFKA_CLI_LIB:-$HERE/lib}
ls "$LIB"/kafka-tools-*.jar >/dev/null 2>&1 || { echo "no Kafka CLI jars in $LIB: run compat/core/install.sh" >&2; exit 2; }
exec "${COMPAT_JAVA:-java}" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlog4j2.configurationFile="$HERE/log4j2.properties" -cp "$LIB/*" "$@"
