#!/usr/bin/env node
// Fails when proto/src/gen is not what `npm run proto:generate` makes from proto/ringbus/**.proto
// (someone edited a .proto file and did not regenerate, or edited generated code by hand), and when
// `buf lint` finds a schema that breaks the lint rules in proto/buf.yaml.
//
// `buf breaking` needs a baseline to compare against (a git ref, a folder or an image of the released
// schemas), and there is no released schema yet, so it only runs when PROTO_BREAKING_AGAINST names one,
// e.g. PROTO_BREAKING_AGAINST='.git#branch=main,subdir=proto' (see docs/events.md, "Versioning").
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'node_modules', '.bin');
const buf = join(bin, 'buf');
const committedDir = join(root, 'proto', 'src', 'gen');
// The local protoc-gen-es plugin is found on PATH, exactly as under `npm run proto:generate`.
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };

function run(args) {
  const result = spawnSync(buf, args, { cwd: root, env, encoding: 'utf8' });
  if (result.error) throw new Error(`could not run ${buf}: ${result.error.message}`);
  return result;
}

function listFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT') return new Map();
    throw error;
  }
  const files = new Map();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    files.set(relative(dir, path), readFileSync(path));
  }
  return files;
}

function compare(expected, actual) {
  const problems = [];
  for (const [path, content] of expected) {
    if (!actual.has(path)) problems.push(`missing: proto/src/gen/${path}`);
    else if (!actual.get(path).equals(content)) problems.push(`stale:   proto/src/gen/${path}`);
  }
  for (const path of actual.keys()) {
    if (!expected.has(path)) problems.push(`extra:   proto/src/gen/${path} (no .proto file generates it)`);
  }
  return problems.sort();
}

const failures = [];
const scratch = mkdtempSync(join(tmpdir(), 'ringbus-proto-check-'));
try {
  // -o prefixes the template's `out` (proto/src/gen), so the fresh copy lands in <scratch>/proto/src/gen.
  const generate = run(['generate', 'proto', '--template', 'proto/buf.gen.yaml', '-o', scratch]);
  if (generate.status !== 0) {
    failures.push(`buf generate failed (exit ${generate.status}):\n${generate.stderr.trim()}`);
  } else {
    const problems = compare(listFiles(join(scratch, 'proto', 'src', 'gen')), listFiles(committedDir));
    if (problems.length > 0) {
      failures.push(
        `generated code is out of date with the .proto files:\n  ${problems.join('\n  ')}\n` +
          'Run `npm run proto:generate` and commit proto/src/gen together with the .proto change.',
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const lint = run(['lint', 'proto']);
if (lint.status !== 0) {
  failures.push(`buf lint found problems (rules in proto/buf.yaml):\n${(lint.stdout + lint.stderr).trim()}`);
}

const baseline = process.env.PROTO_BREAKING_AGAINST;
if (baseline !== undefined && baseline !== '') {
  const breaking = run(['breaking', 'proto', '--against', baseline]);
  if (breaking.status !== 0) {
    failures.push(
      `buf breaking found changes that break consumers of ${baseline}:\n${(breaking.stdout + breaking.stderr).trim()}\n` +
        'Put the change in a new package version instead (docs/events.md, "Versioning").',
    );
  }
}

if (failures.length > 0) {
  console.error(`proto:check failed\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
console.log(
  `proto:check ok: proto/src/gen matches the .proto files, buf lint passes${baseline ? `, no breaking change against ${baseline}` : ''}`,
);
