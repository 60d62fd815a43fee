import { describe, expect, it } from 'vitest';
import { type BillingRecord } from '../../src/domain/billing-record.js';
import { type CallDetailRecord } from '../../src/domain/call-detail-record.js';
import { type StoredCallEvent } from '../../src/domain/cdr-event.js';
import { cdrFromEvents } from '../../src/domain/cdr-fold.js';
import {
  type DiscrepancyKind,
  reconcile,
  type ReconciliationInput,
  summariseCallEvent,
} from '../../src/domain/reconciliation.js';
import { type ScenarioName, scenario, storedEventsOf, T0 } from '../support/call-scenarios.js';

const plan = { defaultCountryCode: '' };
const id = (n: number) => `0192f1c2-7a3b-7c4d-8e5f-${String(n).padStart(12, '0')}`;

interface Call {
  readonly callId: string;
  readonly events: StoredCallEvent[];
  readonly cdr: CallDetailRecord;
}

function call(n: number, name: ScenarioName, startMs = T0): Call {
  const callId = id(n);
  const events = storedEventsOf(callId, scenario(name, callId), 'acme', startMs);
  const { cdr } = cdrFromEvents(events, plan);
  if (cdr === undefined) throw new Error('no CDR');
  return { callId, events, cdr };
}

/** The record a billing system that agrees with us keeps for `cdr`, matched by SIP Call-ID. */
function billedAs(cdr: CallDetailRecord, overrides: Partial<BillingRecord> = {}): BillingRecord {
  return {
    source: `test ${cdr.callId}`,
    callId: '',
    sipCallId: cdr.sipCallId || cdr.carrierSipCallId,
    startedAtMs: cdr.createdAtMs,
    durationSeconds: cdr.billableSeconds,
    disposition: cdr.disposition,
    ...overrides,
  };
}

function input(calls: readonly Call[], overrides: Partial<ReconciliationInput> = {}): ReconciliationInput {
  return {
    fromMs: T0 - 60_000,
    toMs: T0 + 3_600_000,
    callEvents: new Map(calls.map((each) => [each.callId, each.events])),
    storedCdrs: calls.map((each) => each.cdr),
    billing: calls.filter((each) => each.cdr.disposition === 'answered').map((each) => billedAs(each.cdr)),
    durationToleranceSeconds: 1,
    plan,
    ...overrides,
  };
}

const kinds = (report: ReturnType<typeof reconcile>) =>
  report.discrepancies.map((each): [DiscrepancyKind, string] => [each.kind, each.callId]);

describe('reconcile', () => {
  const answered = call(1, 'answered');
  const incoming = call(2, 'incoming_answered');
  const busy = call(3, 'busy');
  const live = call(4, 'live');
  const calls = [answered, incoming, busy, live];

  it('agreeing views give no discrepancy; unanswered calls need no billing record; live calls are not compared', () => {
    const report = reconcile(input(calls));
    expect(report.discrepancies).toEqual([]);
    expect(report).toMatchObject({ callsReplayed: 4, callsLive: 1, billingRecords: 2, matched: 2 });
  });

  it('matches by callId as well as by our or the carrier SIP Call-ID', () => {
    const report = reconcile(
      input(calls, {
        billing: [
          billedAs(answered.cdr, { sipCallId: '', callId: answered.callId }),
          billedAs(incoming.cdr, { sipCallId: 'a84b4c76e66710@carrier.example' }),
        ],
      }),
    );
    expect(report.discrepancies).toEqual([]);
    expect(report.matched).toBe(2);
  });

  it('an answered call the billing system lacks is missing in billing, with the events that explain it', () => {
    const report = reconcile(input(calls, { billing: [billedAs(incoming.cdr)] }));
    expect(kinds(report)).toEqual([['missing_in_billing', answered.callId]]);
    const [discrepancy] = report.discrepancies;
    expect(discrepancy?.sipCallId).toBe(answered.cdr.sipCallId);
    expect(discrepancy?.events.map((event) => event.type)).toEqual(
      answered.events.map((event) => event.type),
    );
    expect(discrepancy?.events.at(-1)).toMatchObject({
      type: 'CallEnded',
      occurredAtMs: T0 + 65_400,
      fields: { reason: 'CALL_END_REASON_NORMAL', sipCode: '200', hungUpBy: 'CALL_PARTY_CALLER' },
    });
  });

  it('a billing record no call matches is missing in Ringbus, unless it started outside the period', () => {
    const orphan = billedAs(answered.cdr, { sipCallId: 'unknown@carrier', source: 'csv line 9' });
    const outside = billedAs(answered.cdr, { sipCallId: 'old@carrier', startedAtMs: T0 - 120_000 });
    const report = reconcile(input(calls, { billing: [...input(calls).billing, orphan, outside] }));
    expect(kinds(report)).toEqual([['missing_in_ringbus', '']]);
    expect(report.discrepancies[0]).toMatchObject({
      sipCallId: 'unknown@carrier',
      billing: [orphan],
      events: [],
    });
    expect(report.discrepancies[0]?.detail).toContain('csv line 9');
  });

  it('a call from just before the period matches its record inside it; neither is reported', () => {
    // First event 30 s before the period, answered and billed from inside it.
    const early = call(7, 'answered', T0 - 90_000);
    const report = reconcile(
      input([...calls, early], {
        fromMs: T0 - 60_000,
        billing: [...input(calls).billing, billedAs(early.cdr, { startedAtMs: T0 - 55_000 })],
      }),
    );
    expect(report.discrepancies).toEqual([]);
    expect(report.callsReplayed).toBe(4);
    expect(report.billingRecords).toBe(3);
  });

  it('two billing records for one call are a duplicate, reported once', () => {
    const report = reconcile(input(calls, { billing: [...input(calls).billing, billedAs(answered.cdr)] }));
    expect(kinds(report)).toEqual([['duplicate_in_billing', answered.callId]]);
    expect(report.discrepancies[0]?.billing).toHaveLength(2);
  });

  it('durations differ beyond the tolerance only', () => {
    const billed = (seconds: number) =>
      reconcile(
        input(calls, {
          billing: [billedAs(answered.cdr, { durationSeconds: seconds }), billedAs(incoming.cdr)],
          durationToleranceSeconds: 2,
        }),
      );
    expect(answered.cdr.billableSeconds).toBe(61);
    expect(kinds(billed(63))).toEqual([]);
    expect(kinds(billed(59))).toEqual([]);
    expect(kinds(billed(64))).toEqual([['duration_mismatch', answered.callId]]);
    expect(billed(64).discrepancies[0]?.detail).toBe('billing 64 s, Ringbus 61 s (tolerance 2 s)');
  });

  it('a disposition the billing system records differently is a mismatch; none given is not', () => {
    const report = reconcile(
      input(calls, {
        billing: [
          billedAs(answered.cdr, { disposition: null }),
          billedAs(incoming.cdr),
          billedAs(busy.cdr, { disposition: 'answered' }),
        ],
      }),
    );
    expect(kinds(report)).toEqual([['disposition_mismatch', busy.callId]]);
    expect(report.discrepancies[0]?.detail).toBe('billing answered, Ringbus busy');
  });

  it('a stored CDR that differs from its replay, is missing, or has no events is reported', () => {
    const stray = call(9, 'failed');
    const report = reconcile(
      input(calls, {
        storedCdrs: [{ ...answered.cdr, talkMs: 1 }, busy.cdr, stray.cdr],
      }),
    );
    expect(kinds(report)).toEqual([
      ['cdr_differs_from_replay', answered.callId],
      ['cdr_differs_from_replay', incoming.callId],
      ['cdr_differs_from_replay', stray.callId],
    ]);
    expect(report.discrepancies.map((each) => each.detail)).toEqual([
      'stored talkMs 1, replay 60400',
      'no stored CDR',
      'stored CDR has no events in the period',
    ]);
  });

  it('events the fold cannot read are left out and reported, as the live projection does', () => {
    const unknown: StoredCallEvent = { ...busy.events[1]!, type: 'CallTeleported', streamVersion: 2 };
    const events = [
      busy.events[0]!,
      unknown,
      ...busy.events.slice(1).map((e) => ({ ...e, streamVersion: e.streamVersion + 1 })),
    ];
    const { cdr } = cdrFromEvents(events, plan);
    const report = reconcile(input([{ ...busy, events, cdr: cdr! }]));
    expect(report.eventsLeftOut.map((problem) => problem.code)).toEqual(['UNKNOWN_EVENT_TYPE']);
    expect(report.discrepancies).toEqual([]);
  });

  it('summarises an event by type, time and key fields', () => {
    expect(summariseCallEvent(answered.events[1]!)).toEqual({
      streamVersion: 2,
      type: 'SipInviteSent',
      occurredAtMs: T0 + 50,
      fields: { sipCallId: answered.cdr.sipCallId, janusGatewayId: 'gw-eu-2', region: 'eu' },
    });
  });
});
