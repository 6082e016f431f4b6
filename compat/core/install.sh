#!/usr/bin/env bash
# Idempotent: installs the Debian client packages the compat/core scenarios use.
# Runs apt-get update only when a package is missing. Needs root (or sudo).
set -eu
PKGS="kcat python3-kafka python3-confluent-kafka"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "compat/core clients already installed: $PKGS"
else
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing:$missing"
  $SUDO env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y $PKGS
fi
kcat -V | sed -n 's/^Version /kcat /p'
(cd / && /usr/bin/python3 -c 'import kafka, confluent_kafka as c; print("kafka-python", kafka.__version__); print("confluent-kafka", c.version()[0], "librdkafka", c.libversion()[0])')
