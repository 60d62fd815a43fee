import { type Kysely } from 'kysely';
import { type BillingRecordBatch, type BillingSystem } from '../../app/ports.js';
import { type BillingRecord } from '../../domain/billing-record.js';
import { type CallDetailRecord } from '../../domain/call-detail-record.js';
import { sipCallIdOf } from '../../domain/reconciliation.js';
import { type BillingDb } from '../postgres/billing-schema.js';
import { cdrOfRow } from '../postgres/cdr-rows.js';

/** A final CDR as the built-in billing system's record of the call: Ringbus rates nothing. */
export function billingRecordOfCdr(cdr: CallDetailRecord): BillingRecord {
  return {
    source: `cdr ${cdr.callId}`,
    callId: cdr.callId,
    sipCallId: sipCallIdOf(cdr),
    startedAtMs: cdr.createdAtMs,
    durationSeconds: cdr.billableSeconds,
    disposition: cdr.disposition,
  };
}

/**
 * The built-in billing system: Ringbus is the system of record and its billing records are the final
 * CDRs of table `cdr` themselves (billable seconds, disposition). A reconciliation against it checks the
 * stored projection against the events; a rating system (PortaBilling, a CSV export) plugs in beside it.
 */
export class RingbusCdrBilling implements BillingSystem {
  readonly name = 'ringbus';

  constructor(private readonly db: Kysely<BillingDb>) {}

  async recordsBetween(fromMs: number, toMs: number): Promise<BillingRecordBatch> {
    const rows = await this.db
      .selectFrom('cdr')
      .selectAll()
      .where('disposition', 'is not', null)
      .where('created_at_ms', '>=', String(fromMs))
      .where('created_at_ms', '<', String(toMs))
      .orderBy('created_at_ms')
      .execute();
    return { records: rows.map((row) => billingRecordOfCdr(cdrOfRow(row))), problems: [] };
  }
}
