import { describe, expect, it } from 'vitest';
import { BillingCsvHeaderError, parseBillingCsv } from '../../src/domain/billing-csv.js';

const HEADER = 'call_id,sip_call_id,start_time,duration_seconds,disposition';

describe('billing records as CSV', () => {
  it('reads records with either id, quoted fields, CRLF and extra columns', () => {
    const text = [
      `${HEADER},rate`,
      '0192f1c2-7a3b-7c4d-8e5f-000000000001,,2026-11-25T09:30:00Z,61,answered,0.02',
      ',"a84b,4c76@carrier.example",2026-11-25T10:30:00.500+01:00,0,Busy,',
      ',"say ""hi""@x",2026-11-25 09:31:00Z,5,,',
      '',
    ].join('\r\n');
    const { records, problems } = parseBillingCsv(text, 'calls.csv');
    expect(problems).toEqual([]);
    expect(records).toEqual([
      {
        source: 'calls.csv line 2',
        callId: '0192f1c2-7a3b-7c4d-8e5f-000000000001',
        sipCallId: '',
        startedAtMs: Date.UTC(2026, 10, 25, 9, 30),
        durationSeconds: 61,
        disposition: 'answered',
      },
      {
        source: 'calls.csv line 3',
        callId: '',
        sipCallId: 'a84b,4c76@carrier.example',
        startedAtMs: Date.UTC(2026, 10, 25, 9, 30, 0, 500),
        durationSeconds: 0,
        disposition: 'busy',
      },
      {
        source: 'calls.csv line 4',
        callId: '',
        sipCallId: 'say "hi"@x',
        startedAtMs: Date.UTC(2026, 10, 25, 9, 31),
        durationSeconds: 5,
        disposition: null,
      },
    ]);
  });

  it('reports each malformed line by line and column, and reads the others', () => {
    const text = [
      HEADER,
      'c1,,2026-11-25T09:30:00,61,answered',
      'c2,,2026-11-25T09:30:00Z,6.5,answered',
      ',,2026-11-25T09:30:00Z,6,answered',
      'c4,,2026-11-25T09:30:00Z,6,hung',
      'c5,,2026-11-25T09:30:00Z,6',
      'c6,,2026-11-25T09:30:00Z,6,no-answer',
      'c7,"multi',
      'line",2026-11-25T09:30:00Z,6,answered',
      'c8,,2026-11-25T09:30:00Z,6,"answered',
    ].join('\n');
    const { records, problems } = parseBillingCsv(text);
    expect(records.map((record) => [record.callId, record.sipCallId, record.source])).toEqual([
      ['c6', '', 'csv line 7'],
      ['c7', 'multi\nline', 'csv line 8'],
    ]);
    expect(problems.map((problem) => [problem.line, problem.column])).toEqual([
      [2, 'start_time'],
      [3, 'duration_seconds'],
      [4, 'call_id'],
      [5, 'disposition'],
      [6, ''],
      [10, ''],
    ]);
    expect(problems[0]?.message).toContain('"2026-11-25T09:30:00" is not an RFC 3339 time');
  });

  it('a header without the required columns is an error naming them', () => {
    expect(() => parseBillingCsv('')).toThrow(BillingCsvHeaderError);
    expect(() => parseBillingCsv('call_id,duration_seconds\nc1,5', 'b.csv')).toThrow(
      'b.csv line 1: header lacks start_time',
    );
    expect(() => parseBillingCsv('start_time,duration_seconds\n')).toThrow('call_id or sip_call_id');
  });
});
