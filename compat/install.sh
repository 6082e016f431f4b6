#!/usr/bin/env bash
# Idempotent, quick when done: installs every client the compatibility matrix (compat/run-matrix.sh) runs.
#  - compat/core/install.sh: kcat, kafka-python, confluent-kafka (Debian), kafkajs (npm), Kafka CLI 4.4.0.
#  - kafka-clients 2.8.2, 3.9.1 and 4.4.0 into compat/java/lib-2.8, lib-3.9, lib-4.4 (one tiny pom each),
#    kafka-streams 4.4.0 into compat/streams/lib, a Spring Boot 3.5 + spring-kafka app's dependencies into
#    compat/spring/lib: all from Maven Central with dependency:copy-dependencies, all gitignored.
# The Apache Kafka broker for --against-kafka is fetched by run-matrix.sh itself (bench/.cache/kafka-broker).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

bash "$HERE/core/install.sh"

fetch() {   # fetch POM DIR: the pom's runtime dependencies into DIR, again only when the pom changed
  local pom=$1 dir=$2 sum
  sum=$(sha256sum "$pom" | cut -d' ' -f1)
  if [ -f "$dir/.pom.sha256" ] && [ "$(cat "$dir/.pom.sha256")" = "$sum" ]; then
    echo "${dir#"$ROOT"/} already fetched"; return 0
  fi
  echo "fetching ${pom#"$ROOT"/} into ${dir#"$ROOT"/}"
  rm -rf "$dir" "$dir.tmp"
  (cd "$ROOT" && timeout 900 ./mvnw -B -q -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir.tmp")
  echo "$sum" >"$dir.tmp/.pom.sha256"
  mv "$dir.tmp" "$dir"
}
for v in 2.8 3.9 4.4; do fetch "$HERE/java/pom-$v.xml" "$HERE/java/lib-$v"; done
fetch "$HERE/streams/pom.xml" "$HERE/streams/lib"
fetch "$HERE/spring/pom.xml" "$HERE/spring/lib"
ls "$HERE"/java/lib-*/kafka-clients-*.jar "$HERE"/streams/lib/kafka-streams-*.jar "$HERE"/spring/lib/spring-kafka-*.jar | sed 's|.*/||'
