import type { z } from 'zod';
import type { ProtocolIssue } from './protocol-error.js';

export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * A schema error's issues with unions resolved to the branch that got furthest into the input, so that
 * "lines.0.call_logs.1.1.code: expected int" is reported instead of "lines.0: Invalid input".
 */
export function schemaIssues(error: z.ZodError, input: unknown): SchemaIssue[] {
  return flatten(error.issues, [], input);
}

export function toProtocolIssues(issues: readonly SchemaIssue[]): ProtocolIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

function flatten(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[],
  input: unknown,
): SchemaIssue[] {
  const flat: SchemaIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const best = issue.code === 'invalid_union' ? furthestBranch(issue.errors, path, input) : undefined;
    // A union of scalars (line: int | null) keeps its own message; descend only into deeper failures.
    if (best !== undefined && depth(best) > path.length) flat.push(...best);
    else flat.push({ path, message: issue.message });
  }
  return flat;
}

function furthestBranch(
  branches: readonly (readonly z.core.$ZodIssue[])[],
  path: readonly PropertyKey[],
  input: unknown,
): SchemaIssue[] | undefined {
  let best: SchemaIssue[] | undefined;
  let bestScore: [number, number] = [-1, -1];
  for (const branch of branches) {
    const flat = flatten(branch, path, input);
    if (flat.length === 0) continue;
    // Deepest first; among equals, the branch whose complaints are about keys the input really has.
    const score: [number, number] = [
      depth(flat),
      flat.filter((i) => valueAt(input, i.path) !== undefined).length,
    ];
    if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
      best = flat;
      bestScore = score;
    }
  }
  return best;
}

function depth(issues: readonly SchemaIssue[]): number {
  return Math.max(...issues.map((issue) => issue.path.length));
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The raw value at an issue's path, to tell a missing element from a wrongly typed one. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (typeof key === 'symbol') return undefined;
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isJsonObject(current) && Object.hasOwn(current, key)) current = current[String(key)];
    else return undefined;
  }
  return current;
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export function fitCloseReason(reason: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(reason).length <= 123) return reason;
  let bytes = 0;
  let cut = '';
  for (const char of reason) {
    bytes += encoder.encode(char).length;
    if (bytes > 120) break;
    cut += char;
  }
  return `${cut}...`;
}

/** Client-supplied names quoted in messages are cut, so a hostile name cannot bloat replies or logs. */
export function quoteName(name: unknown): string {
  if (typeof name !== 'string')
    return `(${name === null ? 'null' : Array.isArray(name) ? 'array' : typeof name})`;
  return name.length > 64 ? `${name.slice(0, 64)}...` : name;
}

/** Nesting depth of a parsed JSON value, counted iteratively (a deep value must not exhaust the stack). */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 0; level.length > 0; depth += 1) {
    if (depth > limit) return true;
    const next: unknown[] = [];
    for (const item of level) {
      if (Array.isArray(item)) for (const element of item) next.push(element);
      else if (isJsonObject(item)) for (const key in item) next.push(item[key]);
    }
    level = next;
  }
  return false;
}
