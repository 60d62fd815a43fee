import { randomBytes } from 'node:crypto';

/**
 * A name no other test run will pick: lower-case letters, digits and underscores only, so it is valid
 * as a PostgreSQL schema, a JetStream stream, a durable consumer and a NATS subject token.
 */
export function uniqueTestName(prefix: string): string {
  const cleanPrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  return `${cleanPrefix}_${randomBytes(6).toString('hex')}`;
}
