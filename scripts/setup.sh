#!/usr/bin/env bash
# Installs and starts what Ringbus needs on a Debian machine with Node.js 20, then installs npm packages.
# Safe to run again: it only installs what is missing and only starts what is down.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

DEBIAN_PACKAGES=(postgresql nats-server janus sip-tester kamailio iproute2)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  # Packaged daemons (janus, kamailio, ...) must not start as system services: Ringbus runs its own.
  policy_created=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    policy_created=1
  fi
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ "$policy_created" -eq 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
fi

pg_version="$(ls /etc/postgresql | sort -V | tail -1)"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if ! pg_lsclusters -h | grep -q "^${pg_version} *main"; then
    log "creating PostgreSQL ${pg_version} cluster"
    as_root pg_createcluster "$pg_version" main >/dev/null
  fi
  hba="/etc/postgresql/${pg_version}/main/pg_hba.conf"
  # A development machine: loopback and the local socket trust the postgres user, as the tests expect.
  if ! grep -q '^# ringbus: trust loopback' "$hba"; then
    log "configuring loopback trust for PostgreSQL (development set-up)"
    { echo '# ringbus: trust loopback'; echo 'local all all trust'; echo 'host all all 127.0.0.1/32 trust'; echo 'host all all ::1/128 trust'; cat "$hba"; } | as_root tee "$hba.new" >/dev/null
    as_root mv "$hba.new" "$hba"
  fi
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
for db in test; do
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
done

nats_up() { (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; }
if ! nats_up; then
  log "starting nats-server with JetStream on 127.0.0.1:4222"
  as_root mkdir -p /var/lib/nats-server
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  for _ in $(seq 1 50); do nats_up && break; sleep 0.1; done
  nats_up || { log "nats-server did not start: see /var/log/nats-server.log"; exit 1; }
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "ready"
