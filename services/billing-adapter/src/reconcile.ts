/**
 * Reconciliation as one call, for `ringbus reconcile`: reads the calls of a period from the event store,
 * the stored CDRs and the billing system's records, and hands them to the pure comparison
 * (`domain/reconciliation.ts`). The pool's schema holds the event store; the CDR table lives in
 * `cdrSchema` (default the same). docs/billing.md, "Reconciliation", gives the rules.
 */
import { sql } from 'kysely';
import type pg from 'pg';
import { CsvBillingFile } from './adapters/billing/csv-billing-file.js';
import { RingbusCdrBilling } from './adapters/billing/ringbus-cdr-billing.js';
import { billingDatabase, resolveBillingSchema } from './adapters/postgres/billing-schema.js';
import { cdrOfRow } from './adapters/postgres/cdr-rows.js';
import { readCallsStartedBetween } from './adapters/postgres/postgres-period-calls.js';
import { type BillingSourceProblem, type BillingSystem } from './app/ports.js';
import { type CallDetailRecord } from './domain/call-detail-record.js';
import { reconcile, type ReconciliationReport } from './domain/reconciliation.js';

/**
 * Calls and billing records this far either side of the period are read too, so a call that started
 * just before the period but was billed from its answer inside it (or the reverse) matches its record
 * instead of showing up as missing on both sides. Only calls and records of the period are reported.
 */
export const RECONCILIATION_MARGIN_MS = 60 * 60 * 1000;

export interface ReconcileCdrOptions {
  /** A pool whose `search_path` is the event store's schema. */
  readonly pool: pg.Pool;
  readonly cdrSchema?: string;
  /** As CDR_DEFAULT_COUNTRY_CODE; must match the live service's, or replayed E.164 columns differ. */
  readonly defaultCountryCode?: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The billing system to compare with; default the built-in one (table `cdr`). */
  readonly billing?: BillingSystem;
  /** Default 1 s: our billable seconds round up, some billing systems round to the nearest second. */
  readonly durationToleranceSeconds?: number;
}

export interface ReconciliationRun extends ReconciliationReport {
  readonly billingSystem: string;
  /** Records the billing system could not give or we could not read (e.g. malformed CSV lines). */
  readonly billingProblems: readonly BillingSourceProblem[];
}

export async function reconcileCdrs(options: ReconcileCdrOptions): Promise<ReconciliationRun> {
  const schema = await resolveBillingSchema(options.pool, options.cdrSchema);
  const db = billingDatabase(options.pool, schema);
  const fromMs = options.fromMs - RECONCILIATION_MARGIN_MS;
  const toMs = options.toMs + RECONCILIATION_MARGIN_MS;
  const callEvents = await readCallsStartedBetween(options.pool, fromMs, toMs);
  const callIds = [...callEvents.keys()];
  const rows = await db
    .selectFrom('cdr')
    .selectAll()
    .where((where) =>
      where.or([
        // One array parameter, however many calls (an `in` list is capped at 65,535 parameters).
        sql<boolean>`call_id = any(${callIds}::text[])`,
        where.and([where('created_at_ms', '>=', String(fromMs)), where('created_at_ms', '<', String(toMs))]),
      ]),
    )
    .execute();
  const storedCdrs: CallDetailRecord[] = rows.map(cdrOfRow);
  const billing = options.billing ?? new RingbusCdrBilling(db);
  const batch = await billing.recordsBetween(fromMs, toMs);
  const report = reconcile({
    fromMs: options.fromMs,
    toMs: options.toMs,
    callEvents,
    storedCdrs,
    billing: batch.records,
    durationToleranceSeconds: options.durationToleranceSeconds ?? 1,
    plan: { defaultCountryCode: options.defaultCountryCode ?? '' },
  });
  return { ...report, billingSystem: billing.name, billingProblems: batch.problems };
}

/** CDRs (live calls' too) of calls that started in [fromMs, toMs), oldest first, for `ringbus cdr list|export`. */
export async function listCdrs(options: {
  readonly pool: pg.Pool;
  readonly cdrSchema?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
  readonly limit?: number;
}): Promise<CallDetailRecord[]> {
  const schema = await resolveBillingSchema(options.pool, options.cdrSchema);
  let query = billingDatabase(options.pool, schema).selectFrom('cdr').selectAll();
  if (options.fromMs !== undefined) query = query.where('created_at_ms', '>=', String(options.fromMs));
  if (options.toMs !== undefined) query = query.where('created_at_ms', '<', String(options.toMs));
  query = query.orderBy('created_at_ms').orderBy('call_id');
  if (options.limit !== undefined) query = query.limit(options.limit);
  return (await query.execute()).map(cdrOfRow);
}

export { CsvBillingFile, RingbusCdrBilling };
export { BillingCsvHeaderError, BILLING_CSV_COLUMNS } from './domain/billing-csv.js';
export { type BillingRecord } from './domain/billing-record.js';
export { type CallDetailRecord } from './domain/call-detail-record.js';
export {
  type CallEventSummary,
  type Discrepancy,
  type DiscrepancyKind,
  DISCREPANCY_KINDS,
} from './domain/reconciliation.js';
export { type BillingRecordBatch, type BillingSourceProblem, type BillingSystem } from './app/ports.js';
export {
  PortaBillingClient,
  type PortaBillingClientOptions,
} from './adapters/billing/portabilling/portabilling-client.js';
export {
  PortaBillingBilling,
  type PortaBillingScope,
} from './adapters/billing/portabilling/portabilling-billing.js';
export { type PortaBillingAccount } from './adapters/billing/portabilling/portabilling-protocol.js';
