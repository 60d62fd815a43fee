// Prints the counts of one or more vitest JSON reports as one plain closing line, e.g.
// "tests: 120 passed, 0 failed, 2 skipped". A test file that failed to load counts as one failure: it
// ran no test but must not pass unnoticed; so does a report that is missing (its run never finished).
import { existsSync, readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  if (!existsSync(file)) {
    console.error(`no test results at ${file}: that run did not finish`);
    failed += 1;
    continue;
  }
  const results = JSON.parse(readFileSync(file, 'utf8'));
  const brokenFiles = (results.testResults ?? []).filter(
    (suite) =>
      suite.status === 'failed' && !(suite.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
  passed += results.numPassedTests ?? 0;
  failed += (results.numFailedTests ?? 0) + brokenFiles;
  skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0) {
  console.error('no test ran');
  process.exit(1);
}
if (failed > 0) process.exit(1);
