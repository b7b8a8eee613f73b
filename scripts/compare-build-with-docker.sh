#!/bin/sh
# Builds every Dockerfile in test/fixtures/docker-build/ with berth and with docker, and compares the
# image config fields a Dockerfile decides (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts,
# Volumes, Labels, StopSignal, Healthcheck, Shell, OnBuild, Author). docker's answers are written
# next to the Dockerfiles as <name>.docker.json, so they can be committed as the expected values.
#
# Needs root. Installs docker.io when missing and, when no daemon answers, starts one for the run
# (`dockerd --bridge=none --iptables=false`, its own data root under a temp dir) and stops it by pid.
# The base image comes from berth: `berth save busybox` → `docker load`, so both build FROM the same bytes.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
fixtures="$top/test/fixtures/docker-build"
work=$(mktemp -d /tmp/berth-compare-XXXXXX)
root="$work/berth-root"
dockerd_pid=""

cleanup() {
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
  grep -o "$work[^ ]*" /proc/mounts 2>/dev/null | sort -r | while read -r point; do umount -l "$point" || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

berth() { node "$top/dist/cli/main.js" --root "$root" "$@"; }

if ! command -v docker >/dev/null 2>&1; then
  apt-get install -y docker.io >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  dockerd --bridge=none --iptables=false --ip-masq=false --data-root "$work/docker" \
    --exec-root "$work/docker-exec" --pidfile "$work/dockerd.pid" -H "unix://$work/docker.sock" \
    >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  export DOCKER_HOST="unix://$work/docker.sock"
  i=0
  until docker info >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -gt 60 ]; then echo "dockerd did not start; see its log:" >&2; cat "$work/dockerd.log" >&2; exit 1; fi
    sleep 1
  done
fi

[ -f "$top/dist/cli/main.js" ] || (cd "$top" && npx tsc -p tsconfig.json)
node --import tsx -e "
  const { seedBusybox } = await import('$top/test/fixtures/busybox.ts');
  await seedBusybox('$root');
"
berth save -o "$work/busybox.tar" busybox:latest
docker load -i "$work/busybox.tar" >/dev/null

fields='{Env: .Config.Env, Cmd: .Config.Cmd, Entrypoint: .Config.Entrypoint, WorkingDir: .Config.WorkingDir, User: .Config.User, ExposedPorts: .Config.ExposedPorts, Volumes: .Config.Volumes, Labels: .Config.Labels, StopSignal: .Config.StopSignal, Healthcheck: .Config.Healthcheck, Shell: .Config.Shell, OnBuild: .Config.OnBuild, Author: .Author}'
mkdir -p "$work/context"
status=0
for dockerfile in "$fixtures"/*.Dockerfile; do
  name=$(basename "$dockerfile" .Dockerfile)
  docker build -q -f "$dockerfile" -t "berth-compare-$name" "$work/context" >/dev/null
  docker image inspect "berth-compare-$name" | jq -S ".[0] | $fields" >"$fixtures/$name.docker.json"
  id=$(berth build -q -f "$dockerfile" "$work/context")
  berth image inspect "$id" | jq -S ".[0] | $fields" >"$work/$name.berth.json"
  if diff -u "$fixtures/$name.docker.json" "$work/$name.berth.json"; then
    echo "same: $name"
  else
    echo "DIFFERENT: $name" >&2
    status=1
  fi
  docker rmi -f "berth-compare-$name" >/dev/null
done
docker rmi -f busybox:latest >/dev/null 2>&1 || true
exit $status
