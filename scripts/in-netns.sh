#!/usr/bin/env bash
# Runs a command inside a fresh, throw-away network namespace whose only network is loopback, and exits
# with the command's status. Usage: scripts/in-netns.sh <command> [args...]
#
# Why a namespace: Janus's ICE gathering skips every interface flagged LOOPBACK before it even reads
# `ice_enforce_list`, so on plain `lo` it gathers no candidate at all, and with empty lists it would pick the
# machine's real address (forbidden: test traffic must stay on loopback). Inside the namespace 127.0.0.1 also
# sits on a veth interface `jlo0` (not flagged loopback), and Janus is told `ice_enforce_list = "jlo0"`.
# Nothing can leave the machine from here: the namespace has no other interface. Everything that talks to
# that Janus (the test process, werift, sipp, kamailio, services under test, their own nats-server) must run
# inside it; PostgreSQL stays reachable through its Unix socket (/var/run/postgresql).
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

# /proc/net/dev lists the caller's own namespace (/sys/class/net would list the host's: sysfs shows the
# namespace of whoever mounted it).
if grep -q '^ *jlo0:' /proc/net/dev; then
  # Already inside such a namespace (a nested call): a second one would cut the command off from the first.
  exec "$@"
fi

# The setup runs as the namespace's first process; the command replaces it (exec), so its exit status and
# signals pass straight through, and the namespace vanishes with its last process.
exec unshare --net -- bash -euo pipefail -c '
  ip link set lo up
  ip link add jlo0 type veth peer name jlo1
  ip addr add 127.0.0.1/32 dev jlo0
  # No IPv6 link-local address: ICE would otherwise gather an fe80:: candidate on the veth.
  ip link set jlo0 addrgenmode none
  ip link set jlo1 addrgenmode none
  ip link set jlo1 up
  ip link set jlo0 up
  exec "$@"
' in-netns "$@"
