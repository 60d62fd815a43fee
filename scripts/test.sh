#!/usr/bin/env bash
# The whole test suite: builds (integration tests spawn compiled services), then unit, integration and
# end-to-end tests against the real PostgreSQL and NATS, and prints one closing line with the counts.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
npx tsc -b || exit 1
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-results.json "$@"
status=$?
node scripts/print-test-summary.mjs .tmp/vitest-results.json || status=1
exit $status
