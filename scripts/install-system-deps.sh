#!/usr/bin/env bash
# Installs the Debian packages that tests use, when missing: ZooKeeper (zk:// leader detection), Chromium
# (the dashboard's browser test), Go and mesos-go (the third-party scheduler probe), protoc (proto conformance).
# Needs root or sudo; without either it says what is missing and the tests that need it skip with a message.
set -uo pipefail
need=()
[ -x /usr/share/zookeeper/bin/zkServer.sh ] || need+=(zookeeper)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/mesos/mesos-go/api/v1/lib/httpcli/httpsched ] || need+=(golang-github-mesos-mesos-go-dev)
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
[ -f /usr/include/google/protobuf/descriptor.proto ] || need+=(libprotobuf-dev)
[ ${#need[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=sudo; else echo "system packages missing (no root): ${need[*]}"; exit 0; fi
fi
echo "system packages: installing ${need[*]}"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
