#!/usr/bin/env node
// `npm run bench -- <suite> [suite options]`: runs bench/<suite>/main.ts against workspace sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [suite, ...suiteArgs] = process.argv.slice(2);
const suites = readdirSync('bench', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join('bench', entry.name, 'main.ts')))
  .map((entry) => entry.name);

if (suite === undefined || !suites.includes(suite)) {
  console.error(`usage: npm run bench -- <suite> [--quick]\nsuites: ${suites.join(', ') || '(none)'}`);
  process.exit(suite === undefined ? 0 : 2);
}

const result = spawnSync(
  process.execPath,
  // A larger young generation: the suites churn through millions of short-lived objects (event rows,
  // folded records), and V8's default 16 MB semi-space makes them spend a quarter of their time in GC.
  [
    '--conditions=@ringbus/source',
    '--max-semi-space-size=64',
    '--import',
    'tsx',
    join('bench', suite, 'main.ts'),
    ...suiteArgs,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
