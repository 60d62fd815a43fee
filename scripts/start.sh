#!/usr/bin/env bash
# Sets up this machine, builds Ringbus and runs the whole platform in the foreground:
# the event relay and the four services, each a process of its own, logs under .tmp/platform/.
# Ctrl-C (or SIGTERM) stops them all, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npx tsc -b

export RINGBUS_DATABASE="${RINGBUS_DATABASE:-ringbus}"
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$RINGBUS_DATABASE'" | grep -q 1 ||
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $RINGBUS_DATABASE"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$RINGBUS_DATABASE}"
export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"

log_dir=.tmp/platform
mkdir -p "$log_dir"
declare -A pids=()

start_process() {
  local name=$1 entry=$2
  shift 2
  env "$@" node "$entry" >"$log_dir/$name.log" 2>&1 &
  pids[$name]=$!
  echo "[start] $name (pid ${pids[$name]}), log $log_dir/$name.log"
}

stop_all() {
  trap - INT TERM EXIT
  for name in "${!pids[@]}"; do kill -TERM "${pids[$name]}" 2>/dev/null || true; done
  for name in "${!pids[@]}"; do wait "${pids[$name]}" 2>/dev/null || true; done
  echo "[start] stopped"
}
on_signal() {
  stop_all
  exit 0
}
trap on_signal INT TERM
trap stop_all EXIT

start_process event-relay libs/event-relay/dist/src/main.js RELAY_NAME=platform
start_process signaling services/signaling/dist/src/main.js HTTP_PORT="${SIGNALING_PORT:-8080}"
start_process media-orchestration services/media-orchestration/dist/src/main.js HTTP_PORT="${MEDIA_ORCHESTRATION_PORT:-8081}"
start_process billing-adapter services/billing-adapter/dist/src/main.js HTTP_PORT="${BILLING_ADAPTER_PORT:-8082}"
start_process push services/push/dist/src/main.js HTTP_PORT="${PUSH_PORT:-8083}"

healthy() { node -e "fetch('http://127.0.0.1:$1/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }
for port in "${SIGNALING_PORT:-8080}" "${MEDIA_ORCHESTRATION_PORT:-8081}" "${BILLING_ADAPTER_PORT:-8082}" "${PUSH_PORT:-8083}"; do
  for _ in $(seq 1 100); do
    healthy "$port" && break
    sleep 0.2
  done
  if healthy "$port"; then
    echo "[start] healthy: http://127.0.0.1:$port/healthz"
  else
    echo "[start] not healthy on port $port: see $log_dir/*.log" >&2
    exit 1
  fi
done
echo "[start] Ringbus is running. Ctrl-C stops it."
wait -n "${pids[@]}" || true
echo "[start] a process exited: see $log_dir/*.log" >&2
exit 1
