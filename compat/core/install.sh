#!/usr/bin/env bash
# Idempotent: installs the clients the compat/core scenarios use, and is quick when they are there.
#  - Debian packages kcat, python3-kafka, python3-confluent-kafka (and nodejs/npm if node is missing);
#    apt-get update only when a package is missing. Needs root (or sudo).
#  - kafkajs 2.2.4 from npm into compat/core/node/ (gitignored).
#  - the Apache Kafka CLI tools (kafka-tools 4.4.0 with its own kafka-clients) from Maven Central into
#    compat/core/cli/lib/ (gitignored), via the standalone compat/core/cli/pom.xml.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
KAFKAJS_VERSION=2.2.4

PKGS="kcat python3-kafka python3-confluent-kafka"
command -v node >/dev/null && command -v npm >/dev/null || PKGS="$PKGS nodejs npm"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "compat/core Debian clients already installed: $PKGS"
else
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing:$missing"
  $SUDO env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y $PKGS
fi

have_kafkajs() { (cd "$HERE" && node -p 'require("./node/node_modules/kafkajs/package.json").version' 2>/dev/null); }
if [ "$(have_kafkajs)" = "$KAFKAJS_VERSION" ]; then
  echo "kafkajs $KAFKAJS_VERSION already in compat/core/node"
else
  echo "npm install kafkajs@$KAFKAJS_VERSION into compat/core/node"
  mkdir -p "$HERE/node"
  timeout 600 npm install --prefix "$HERE/node" --no-audit --no-fund --loglevel=error "kafkajs@$KAFKAJS_VERSION"
fi

# the jars are fetched again only when the pom changes (its checksum is kept beside them)
POM="$HERE/cli/pom.xml" LIB="$HERE/cli/lib"
sum=$(sha256sum "$POM" | cut -d' ' -f1)
if [ -f "$LIB/.pom.sha256" ] && [ "$(cat "$LIB/.pom.sha256")" = "$sum" ] && ls "$LIB"/kafka-tools-[0-9]*.jar >/dev/null 2>&1; then
  echo "Kafka CLI tools already in compat/core/cli/lib"
else
  echo "fetching the Kafka CLI tools into compat/core/cli/lib"
  rm -rf "$LIB"
  (cd "$ROOT" && timeout 900 ./mvnw -B -q -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB")
  echo "$sum" >"$LIB/.pom.sha256"
fi

kcat -V | sed -n 's/^Version /kcat /p'
(cd / && /usr/bin/python3 -c 'import kafka, confluent_kafka as c; print("kafka-python", kafka.__version__); print("confluent-kafka", c.version()[0], "librdkafka", c.libversion()[0])')
echo "kafkajs $(have_kafkajs) (node $(node --version))"
ls "$LIB"/kafka-tools-[0-9]*.jar "$LIB"/kafka-clients-*.jar | sed 's|.*/||'
