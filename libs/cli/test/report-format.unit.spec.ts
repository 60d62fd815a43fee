import { type CallDetailRecord, type ReconciliationRun } from '@ringbus/billing-adapter/reconcile';
import { describe, expect, it } from 'vitest';
import { cdrCsv, csvField, reconciliationCsv, reconciliationJson, reconciliationText } from '../src/index.js';

const T0 = Date.UTC(2026, 10, 25, 9, 30);
const CALL_ID = '0192f1c2-7a3b-7c4d-8e5f-000000000001';

const run: ReconciliationRun = {
  fromMs: Date.UTC(2026, 10, 25, 9),
  toMs: Date.UTC(2026, 10, 25, 10),
  callsReplayed: 3,
  callsLive: 1,
  billingRecords: 2,
  matched: 1,
  billingSystem: 'csv calls.csv',
  billingProblems: [{ where: 'calls.csv line 4, column start_time', message: '"x" is not an RFC 3339 time' }],
  eventsLeftOut: [],
  discrepancies: [
    {
      kind: 'duration_mismatch',
      callId: CALL_ID,
      sipCallId: `rb-${CALL_ID}@ringbus.example`,
      detail: 'billing 64 s, Ringbus 61 s (tolerance 1 s)',
      billing: [
        {
          source: 'calls.csv line 2',
          callId: '',
          sipCallId: 'x',
          startedAtMs: T0,
          durationSeconds: 64,
          disposition: 'answered',
        },
      ],
      events: [
        { streamVersion: 1, type: 'CallRequested', occurredAtMs: T0, fields: {} },
        {
          streamVersion: 9,
          type: 'CallEnded',
          occurredAtMs: T0 + 65_400,
          fields: { reason: 'CALL_END_REASON_NORMAL', sipCode: '200' },
        },
      ],
    },
  ],
};

describe('report formats', () => {
  it('the text report lists each discrepancy with its billing records and events', () => {
    const text = reconciliationText(run);
    expect(text).toContain(
      'Reconciliation 2026-11-25T09:00:00.000Z .. 2026-11-25T10:00:00.000Z against csv calls.csv',
    );
    expect(text).toContain('calls replayed: 3 (1 still live, not compared); billing records: 2; matched: 1');
    expect(text).toMatch(
      /duration mismatch\s+0192f1c2-7a3b-7c4d-8e5f-000000000001\s+rb-\S+\s+billing 64 s, Ringbus 61 s/,
    );
    expect(text).toContain('    billing: calls.csv line 2, started 2026-11-25T09:30:00.000Z, 64 s, answered');
    expect(text).toContain(
      '    event: v9 2026-11-25T09:31:05.400Z CallEnded reason=CALL_END_REASON_NORMAL sipCode=200',
    );
    expect(text).toContain(
      'billing record unreadable: calls.csv line 4, column start_time: "x" is not an RFC 3339 time',
    );
    expect(reconciliationText({ ...run, discrepancies: [], billingProblems: [] })).toContain(
      'No discrepancies.',
    );
  });

  it('the CSV report is one quoted row per discrepancy; JSON keeps everything', () => {
    const lines = reconciliationCsv(run).trimEnd().split('\n');
    expect(lines[0]).toBe('kind,call_id,sip_call_id,detail,billing_records,events');
    expect(lines[1]).toBe(
      `duration_mismatch,${CALL_ID},rb-${CALL_ID}@ringbus.example,"billing 64 s, Ringbus 61 s (tolerance 1 s)",calls.csv line 2,` +
        'v1 2026-11-25T09:30:00.000Z CallRequested | v9 2026-11-25T09:31:05.400Z CallEnded reason=CALL_END_REASON_NORMAL sipCode=200',
    );
    expect(JSON.parse(reconciliationJson(run))).toMatchObject({
      from: '2026-11-25T09:00:00.000Z',
      discrepancies: [{ kind: 'duration_mismatch' }],
    });
  });

  it('CSV fields are quoted only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
  });

  it('a CDR export has the table columns, nulls empty', () => {
    const cdr = {
      callId: CALL_ID,
      line: null,
      disposition: 'busy',
      billableSeconds: 0,
    } as unknown as CallDetailRecord;
    const [header, row] = cdrCsv([cdr]).trimEnd().split('\n');
    expect(header?.split(',').slice(0, 5)).toEqual(['call_id', 'tenant', 'direction', 'user_id', 'line']);
    expect(header?.split(',')).toHaveLength(27);
    expect(row?.split(',')[0]).toBe(CALL_ID);
    expect(row?.split(',')[4]).toBe('');
  });
});
