// Prints vitest's counts as one plain closing line, e.g. "tests: 120 passed, 0 failed, 2 skipped".
// A test file that failed to load counts as one failure: it ran no test but must not pass unnoticed.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined || !existsSync(file)) {
  console.error(`no test results at ${file}: did the run start?`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, 'utf8'));
const suites = results.testResults ?? [];
const brokenFiles = suites.filter(
  (suite) => suite.status === 'failed' && !(suite.assertionResults ?? []).some((t) => t.status === 'failed'),
).length;
const passed = results.numPassedTests ?? 0;
const failed = (results.numFailedTests ?? 0) + brokenFiles;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (passed === 0) {
  console.error('no test ran');
  process.exit(1);
}
