import { type CallDetailRecord } from './call-detail-record.js';
import { type BillingRecord } from './billing-record.js';
import { type CdrEventProblem, type StoredCallEvent } from './cdr-event.js';
import { cdrFromEvents } from './cdr-fold.js';
import { type NumberPlan } from './phone-number.js';

/**
 * Reconciliation compares three views of the calls of a period (docs/billing.md, "Reconciliation"):
 * the CDRs rebuilt from the events (the truth), the stored CDRs (table `cdr`), and the billing
 * system's records. Pure: the caller reads the events, the rows and the records, and prints the report.
 */

export const DISCREPANCY_KINDS = [
  'missing_in_billing',
  'missing_in_ringbus',
  'duplicate_in_billing',
  'duration_mismatch',
  'disposition_mismatch',
  'cdr_differs_from_replay',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** One event of a call as the report shows it: what happened, when, and the fields that matter. */
export interface CallEventSummary {
  readonly streamVersion: number;
  readonly type: string;
  /** Epoch milliseconds from the event's `occurredAt`; null when unreadable. */
  readonly occurredAtMs: number | null;
  /** Key fields, e.g. `sipCallId`, `reason`, `sipCode`; values as text. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface Discrepancy {
  readonly kind: DiscrepancyKind;
  /** Ringbus's callId; '' for a billing record that matches no call. */
  readonly callId: string;
  readonly sipCallId: string;
  /** What differs, for a person: `billing 64 s, Ringbus 61 s (tolerance 2 s)`. */
  readonly detail: string;
  /** The billing records involved. */
  readonly billing: readonly BillingRecord[];
  /** The call's events in stream order: why Ringbus thinks what it thinks. Empty for a billing orphan. */
  readonly events: readonly CallEventSummary[];
}

export interface ReconciliationInput {
  /** The period: calls whose first event falls in [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
  /**
   * Events of every call whose first event falls in the period, each call's in stream order. It may
   * hold calls from around the period too (the caller reads a margin either side): billing records of
   * those match them and are not reported, but the calls themselves are not compared.
   */
  readonly callEvents: ReadonlyMap<string, readonly StoredCallEvent[]>;
  /** Stored CDRs of those calls, and of any other call the table dates in the period (or its margin). */
  readonly storedCdrs: readonly CallDetailRecord[];
  /** The billing system's records for the period, and its margin if read (any order). */
  readonly billing: readonly BillingRecord[];
  /** Allowed difference between billed seconds and our billable seconds. */
  readonly durationToleranceSeconds: number;
  readonly plan: NumberPlan;
}

export interface ReconciliationReport {
  readonly fromMs: number;
  readonly toMs: number;
  /** Calls of the period rebuilt from the events, ended or not. */
  readonly callsReplayed: number;
  /** Of those, calls still live at the time of the run: not compared. */
  readonly callsLive: number;
  /** Billing records that started in the period. */
  readonly billingRecords: number;
  /** Calls of the period with exactly one billing record. */
  readonly matched: number;
  readonly discrepancies: readonly Discrepancy[];
  /** Events the fold left out while replaying (as the live projection does). */
  readonly eventsLeftOut: readonly CdrEventProblem[];
}

export function reconcile(input: ReconciliationInput): ReconciliationReport {
  const discrepancies: Discrepancy[] = [];
  const eventsLeftOut: CdrEventProblem[] = [];
  const replayed = new Map<string, CallDetailRecord>();
  const summaries = new Map<string, readonly CallEventSummary[]>();
  for (const [callId, events] of input.callEvents) {
    const { cdr, skipped } = cdrFromEvents(events, input.plan);
    eventsLeftOut.push(...skipped);
    if (cdr === undefined) continue;
    replayed.set(callId, cdr);
    summaries.set(callId, events.map(summariseCallEvent));
  }
  const stored = new Map(input.storedCdrs.map((cdr) => [cdr.callId, cdr]));
  const inPeriod = (atMs: number) => atMs >= input.fromMs && atMs < input.toMs;
  const periodCalls = [...replayed.values()].filter((cdr) => inPeriod(cdr.createdAtMs));
  const ended = periodCalls.filter((cdr) => cdr.disposition !== null);
  const eventsOf = (callId: string) => summaries.get(callId) ?? [];
  const add = (kind: DiscrepancyKind, cdr: CallDetailRecord, detail: string, billing: BillingRecord[] = []) =>
    discrepancies.push({
      kind,
      callId: cdr.callId,
      sipCallId: sipCallIdOf(cdr),
      detail,
      billing,
      events: eventsOf(cdr.callId),
    });

  // 1. Stored CDRs against their replay: the projection must be what the events say.
  for (const cdr of ended) {
    const row = stored.get(cdr.callId);
    if (row === undefined) add('cdr_differs_from_replay', cdr, 'no stored CDR');
    else {
      const fields = differingFields(row, cdr);
      if (fields.length > 0) add('cdr_differs_from_replay', cdr, `stored ${fields.join('; ')}`);
    }
  }
  for (const row of input.storedCdrs) {
    if (!replayed.has(row.callId) && inPeriod(row.createdAtMs)) {
      discrepancies.push({
        kind: 'cdr_differs_from_replay',
        callId: row.callId,
        sipCallId: sipCallIdOf(row),
        detail: 'stored CDR has no events in the period',
        billing: [],
        events: [],
      });
    }
  }

  // 2. Billing records matched to calls, by callId first, then by SIP Call-ID (ours or the carrier's).
  const byCallId = new Map<string, CallDetailRecord>();
  const bySipCallId = new Map<string, CallDetailRecord>();
  for (const cdr of replayed.values()) {
    byCallId.set(cdr.callId, cdr);
    if (cdr.sipCallId !== '') bySipCallId.set(cdr.sipCallId, cdr);
    if (cdr.carrierSipCallId !== '') bySipCallId.set(cdr.carrierSipCallId, cdr);
  }
  const recordsOf = new Map<string, BillingRecord[]>();
  for (const record of input.billing) {
    const cdr =
      (record.callId !== '' ? byCallId.get(record.callId) : undefined) ??
      (record.sipCallId !== '' ? bySipCallId.get(record.sipCallId) : undefined);
    if (cdr === undefined) {
      if (inPeriod(record.startedAtMs)) {
        discrepancies.push({
          kind: 'missing_in_ringbus',
          callId: record.callId,
          sipCallId: record.sipCallId,
          detail: `${record.source}: no Ringbus call with this ${record.callId !== '' ? 'callId' : 'SIP Call-ID'}`,
          billing: [record],
          events: [],
        });
      }
      continue;
    }
    const list = recordsOf.get(cdr.callId) ?? [];
    list.push(record);
    recordsOf.set(cdr.callId, list);
  }

  // 3. Each ended call against its billing records.
  let matched = 0;
  for (const cdr of ended) {
    const records = recordsOf.get(cdr.callId) ?? [];
    const [record] = records;
    if (record === undefined) {
      // Billing systems keep answered calls; an attempt that never connected need not be there.
      if (cdr.disposition === 'answered') {
        add('missing_in_billing', cdr, `answered, ${cdr.billableSeconds} s billable, no billing record`);
      }
      continue;
    }
    if (records.length > 1) {
      add(
        'duplicate_in_billing',
        cdr,
        `${records.length} billing records: ${records.map((each) => each.source).join(', ')}`,
        records,
      );
      continue;
    }
    matched += 1;
    const difference = Math.abs(record.durationSeconds - cdr.billableSeconds);
    if (difference > input.durationToleranceSeconds) {
      add(
        'duration_mismatch',
        cdr,
        `billing ${record.durationSeconds} s, Ringbus ${cdr.billableSeconds} s (tolerance ${input.durationToleranceSeconds} s)`,
        records,
      );
    }
    if (record.disposition !== null && record.disposition !== cdr.disposition) {
      add('disposition_mismatch', cdr, `billing ${record.disposition}, Ringbus ${cdr.disposition}`, records);
    }
  }
  // Records matched to a call still live are neither missing nor compared; a billed live call is odd
  // only once it ends, and the next run sees it.

  discrepancies.sort(
    (a, b) =>
      DISCREPANCY_KINDS.indexOf(a.kind) - DISCREPANCY_KINDS.indexOf(b.kind) ||
      a.callId.localeCompare(b.callId),
  );
  return {
    fromMs: input.fromMs,
    toMs: input.toMs,
    callsReplayed: periodCalls.length,
    callsLive: periodCalls.length - ended.length,
    billingRecords: input.billing.filter((record) => inPeriod(record.startedAtMs)).length,
    matched,
    discrepancies,
    eventsLeftOut,
  };
}

/** The SIP Call-ID a billing system would know the call by: ours (outgoing) or the carrier's. */
export function sipCallIdOf(cdr: CallDetailRecord): string {
  return cdr.sipCallId !== '' ? cdr.sipCallId : cdr.carrierSipCallId;
}

/** `field stored → replayed` for every field that differs. */
export function differingFields(stored: CallDetailRecord, replayed: CallDetailRecord): string[] {
  const differences: string[] = [];
  for (const key of Object.keys(replayed) as (keyof CallDetailRecord)[]) {
    if (stored[key] !== replayed[key]) {
      differences.push(`${key} ${JSON.stringify(stored[key])}, replay ${JSON.stringify(replayed[key])}`);
    }
  }
  return differences;
}

const KEY_FIELDS = [
  'sipCallId',
  'carrierSipCallId',
  'janusGatewayId',
  'region',
  'sipCode',
  'reason',
  'q850Cause',
  'hungUpBy',
] as const;

/** An event reduced to what explains a CDR: type, time and the few fields billing cares about. */
export function summariseCallEvent(event: StoredCallEvent): CallEventSummary {
  const data =
    typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>) : {};
  const occurredAt = typeof data['occurredAt'] === 'string' ? Date.parse(data['occurredAt']) : Number.NaN;
  const fields: Record<string, string> = {};
  for (const key of KEY_FIELDS) {
    const value = data[key];
    if (typeof value === 'string' || typeof value === 'number') fields[key] = String(value);
  }
  return {
    streamVersion: event.streamVersion,
    type: event.type,
    occurredAtMs: Number.isFinite(occurredAt) ? occurredAt : null,
    fields,
  };
}
