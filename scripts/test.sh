#!/usr/bin/env bash
# The whole test suite. Builds first (integration tests spawn compiled processes), runs unit and
# integration tests against the real PostgreSQL and NATS, then the end-to-end tests inside a throw-away
# network namespace (Janus needs one to do ICE on loopback: see scripts/in-netns.sh), and prints one
# closing line with the counts of both runs. Extra arguments go to both vitest runs (e.g. a path filter).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
rm -f .tmp/vitest-host.json .tmp/vitest-netns.json
npx tsc -b || exit 1

status=0
npx vitest run --project unit --project int \
  --reporter=default --reporter=json --outputFile.json=.tmp/vitest-host.json "$@" || status=1
bash scripts/in-netns.sh npx vitest run --project e2e --passWithNoTests \
  --reporter=default --reporter=json --outputFile.json=.tmp/vitest-netns.json "$@" || status=1

node scripts/print-test-summary.mjs .tmp/vitest-host.json .tmp/vitest-netns.json || status=1
exit $status
