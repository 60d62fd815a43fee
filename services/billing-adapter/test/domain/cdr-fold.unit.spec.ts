import { callEventTypes } from '@ringbus/proto';
import { describe, expect, it } from 'vitest';
import { CDR_HANDLED_EVENT_TYPES } from '../../src/adapters/bus/cdr-events.controller.js';
import { type StoredCallEvent } from '../../src/domain/cdr-event.js';
import { cdrFromEvents, foldCdrEvent } from '../../src/domain/cdr-fold.js';
import { billableSecondsOf, dispositionOf } from '../../src/domain/disposition.js';
import { SCENARIOS, scenario, storedEventsOf, T0 } from '../support/call-scenarios.js';

const CALL_ID = '0192f1c2-7a3b-7c4d-8e5f-0123456789ab';
const plan = { defaultCountryCode: '49' };

function cdrOf(name: (typeof SCENARIOS)[number]) {
  const { cdr, skipped } = cdrFromEvents(storedEventsOf(CALL_ID, scenario(name, CALL_ID)), plan);
  expect(skipped).toEqual([]);
  if (cdr === undefined) throw new Error('no CDR');
  return cdr;
}

describe('CDR fold', () => {
  it('an answered outgoing call: times, talk time, billable seconds, SIP ids, gateway and numbers', () => {
    expect(cdrOf('answered')).toEqual({
      callId: CALL_ID,
      tenant: 'acme',
      direction: 'outgoing',
      userId: 'user-7',
      line: 0,
      clientCallId: 'AbC123',
      sipCallId: `rb-${CALL_ID}@ringbus.example`,
      carrierSipCallId: '',
      callerDialled: '+15550100',
      callerE164: '+15550100',
      calleeDialled: '+4930123456789',
      calleeE164: '+4930123456789',
      janusGatewayId: 'gw-eu-2',
      region: 'eu',
      createdAtMs: T0,
      ringingAtMs: T0 + 900,
      answeredAtMs: T0 + 5_000,
      endedAtMs: T0 + 65_400,
      durationMs: 65_400,
      talkMs: 60_400,
      billableSeconds: 61,
      disposition: 'answered',
      endReason: 'normal',
      sipCode: 200,
      q850Cause: 16,
      hungUpBy: 'caller',
      lastStreamVersion: 9,
    });
  });

  it.each([
    ['busy', 'busy', 486, 17, 'callee'],
    ['no_answer', 'no_answer', 480, 19, 'system'],
    ['cancelled', 'cancelled', 487, 16, 'caller'],
    ['rejected', 'rejected', 603, 21, 'callee'],
    ['failed', 'failed', 503, 38, 'system'],
  ] as const)('a %s attempt is a CDR with no billable seconds', (name, disposition, sipCode, q850, party) => {
    const cdr = cdrOf(name);
    expect(cdr).toMatchObject({ disposition, sipCode, q850Cause: q850, hungUpBy: party, answeredAtMs: null });
    expect(cdr.talkMs).toBe(0);
    expect(cdr.billableSeconds).toBe(0);
    expect(cdr.durationMs).toBe((cdr.endedAtMs ?? 0) - T0);
  });

  it('a call answered before its gateway died is answered and billed', () => {
    expect(cdrOf('gateway_lost_after_answer')).toMatchObject({
      disposition: 'answered',
      endReason: 'gateway_lost',
      talkMs: 26_000,
      billableSeconds: 26,
      hungUpBy: 'system',
    });
  });

  it('an incoming call: carrier Call-ID, gateway from the offer, alerting from the offer, national caller normalised', () => {
    expect(cdrOf('incoming_answered')).toMatchObject({
      direction: 'incoming',
      line: 1,
      carrierSipCallId: 'a84b4c76e66710@carrier.example',
      sipCallId: '',
      callerDialled: '0301234567',
      callerE164: '+49301234567',
      calleeE164: '+4989123456',
      janusGatewayId: 'gw-eu-1',
      ringingAtMs: T0,
      answeredAtMs: T0 + 3_000,
      billableSeconds: 7,
      disposition: 'answered',
      hungUpBy: 'callee',
    });
    expect(cdrOf('incoming_declined')).toMatchObject({ direction: 'incoming', disposition: 'rejected' });
  });

  it('a live call has a row without disposition, end or duration', () => {
    expect(cdrOf('live')).toMatchObject({
      disposition: null,
      endReason: '',
      endedAtMs: null,
      durationMs: 0,
      answeredAtMs: T0 + 5_000,
      lastStreamVersion: 4,
    });
  });

  it('is deterministic: folding the same events twice gives equal records', () => {
    for (const name of SCENARIOS) {
      const events = storedEventsOf(CALL_ID, scenario(name, CALL_ID));
      expect(cdrFromEvents(events, plan)).toEqual(cdrFromEvents(structuredClone(events), plan));
    }
  });

  it('leaves out an unknown type, a newer schema version and malformed data, keeping the last good version', () => {
    const events = storedEventsOf(CALL_ID, scenario('answered', CALL_ID));
    const ended = events[events.length - 1] as StoredCallEvent;
    const withProblems: StoredCallEvent[] = [
      ...events.slice(0, -1),
      { ...ended, eventId: 'unknown', type: 'CallTeleported', streamVersion: 10 },
      { ...ended, eventId: 'newer', type: 'Ringing', schemaVersion: 2, streamVersion: 11 },
      { ...ended, eventId: 'bad', type: 'Ringing', data: { occurredAt: 'yesterday' }, streamVersion: 12 },
      { ...ended, eventId: 'bad-code', data: { ...(ended.data as object), sipCode: 'x' }, streamVersion: 13 },
      { ...ended, streamVersion: 14 },
    ];
    const { cdr, skipped } = cdrFromEvents(withProblems, plan);
    expect(skipped.map((problem) => [problem.eventId, problem.code])).toEqual([
      ['unknown', 'UNKNOWN_EVENT_TYPE'],
      ['newer', 'UNSUPPORTED_SCHEMA_VERSION'],
      ['bad', 'EVENT_DATA_INVALID'],
      ['bad-code', 'EVENT_DATA_INVALID'],
    ]);
    expect(cdr).toMatchObject({ disposition: 'answered', lastStreamVersion: 14 });
  });

  it('leaves out anything after CallEnded', () => {
    const events = storedEventsOf(CALL_ID, scenario('busy', CALL_ID));
    const { cdr } = cdrFromEvents(events, plan);
    const late = { ...(events[1] as StoredCallEvent), streamVersion: 4, eventId: 'late' };
    expect(foldCdrEvent(cdr, late, plan)).toMatchObject({
      kind: 'skipped',
      problem: { code: 'EVENT_AFTER_CALL_ENDED', eventId: 'late' },
    });
  });

  it('reads enum numbers and unknown enum names as proto JSON readers do', () => {
    const events = storedEventsOf(CALL_ID, scenario('busy', CALL_ID));
    const ended = events[2] as StoredCallEvent;
    const byNumber = { ...ended, data: { ...(ended.data as object), reason: 2, hungUpBy: 3 } };
    expect(cdrFromEvents([...events.slice(0, 2), byNumber], plan).cdr).toMatchObject({
      disposition: 'busy',
      hungUpBy: 'system',
    });
    const unknown = { ...ended, data: { ...(ended.data as object), reason: 'CALL_END_REASON_ABDUCTED' } };
    expect(cdrFromEvents([...events.slice(0, 2), unknown], plan).cdr).toMatchObject({
      disposition: 'failed',
      endReason: 'unspecified',
    });
  });

  it('has a handler for every call event type the proto defines', () => {
    expect([...CDR_HANDLED_EVENT_TYPES].sort()).toEqual(Object.keys(callEventTypes).sort());
  });
});

describe('dispositions and billable seconds', () => {
  it('maps every end reason of an unanswered call', () => {
    expect(dispositionOf('busy', false)).toBe('busy');
    expect(dispositionOf('no_answer', false)).toBe('no_answer');
    expect(dispositionOf('cancelled', false)).toBe('cancelled');
    expect(dispositionOf('rejected', false)).toBe('rejected');
    for (const reason of [
      'failed',
      'gateway_lost',
      'media_failed',
      'transferred',
      'normal',
      'unspecified',
    ] as const)
      expect(dispositionOf(reason, false)).toBe('failed');
    expect(dispositionOf('busy', true)).toBe('answered');
  });

  it('bills every started second', () => {
    expect([0, 1, 999, 1_000, 1_001, 60_400].map(billableSecondsOf)).toEqual([0, 1, 1, 1, 2, 61]);
  });
});
