/**
 * The CDR rebuild as one call, for `ringbus replay --projection cdr` and the benchmark: wires the
 * PostgreSQL event log and the new-table target to the pure rebuild. The pool's schema holds the event
 * store; the CDR table lives in `cdrSchema` (default the same).
 */
import type pg from 'pg';
import { postgresCallEventLog } from './adapters/postgres/postgres-call-event-log.js';
import { migrateBillingSchema, resolveBillingSchema } from './adapters/postgres/billing-schema.js';
import { PostgresCdrRebuildTarget } from './adapters/postgres/postgres-cdr-rebuild-target.js';
import { type CdrRebuildReport, rebuildCdrProjection } from './app/cdr-rebuild.js';
import { type CdrEventProblem } from './domain/cdr-event.js';

export interface ReplayCdrOptions {
  /** A pool whose `search_path` is the event store's schema. */
  readonly pool: pg.Pool;
  readonly cdrSchema?: string;
  /** As CDR_DEFAULT_COUNTRY_CODE; must match the live service's, or rebuilt E.164 columns differ. */
  readonly defaultCountryCode?: string;
  readonly pageSize?: number;
  readonly writeBatch?: number;
  readonly onSkipped?: (problem: CdrEventProblem) => void;
  readonly onProgress?: (progress: { readonly events: number; readonly calls: number }) => void;
}

export async function replayCdrProjection(options: ReplayCdrOptions): Promise<CdrRebuildReport> {
  const schema = await resolveBillingSchema(options.pool, options.cdrSchema);
  await migrateBillingSchema(options.pool, schema);
  const target = await PostgresCdrRebuildTarget.start(options.pool, schema);
  return rebuildCdrProjection({
    log: postgresCallEventLog(options.pool),
    target,
    plan: { defaultCountryCode: options.defaultCountryCode ?? '' },
    pageSize: options.pageSize,
    writeBatch: options.writeBatch,
    onSkipped: options.onSkipped,
    onProgress: options.onProgress,
  });
}

export { type CdrRebuildReport } from './app/cdr-rebuild.js';
export { type CdrEventProblem } from './domain/cdr-event.js';
