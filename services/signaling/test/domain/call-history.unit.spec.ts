import { CallEndReason, type CallEvent } from '@ringbus/proto';
import { describe, expect, it } from 'vitest';
import { callHistoryEntry } from '../../src/domain/call-history.js';
import { callEvents } from './call-events.js';

const dated = (...events: Array<[CallEvent, number]>) =>
  events.map(([event, ms]) => ({ event, occurredAt: new Date(ms).toISOString() }));

describe('call history entry from a call stream', () => {
  it('an answered outgoing call: accepted, connect and disconnect times, whole seconds between them', () => {
    const entry = callHistoryEntry(
      dated(
        [callEvents.requested(), 1_000],
        [callEvents.inviteSent(), 1_100],
        [callEvents.answered(), 5_000],
        [callEvents.ended({ reasonText: 'BYE' }), 65_400],
      ),
    );
    expect(entry).toEqual({
      call_id: 'clientCall0000000000001',
      caller: '+15550001',
      callee: '+15550199',
      direction: 'outgoing',
      status: 'accepted',
      connect_time: new Date(5_000).toISOString(),
      disconnect_time: new Date(65_400).toISOString(),
      duration: 60,
      disconnect_reason: 'BYE',
    });
  });

  it('an incoming call goes by the carrier Call-ID; unanswered it is missed (connect time: its start), declined when our user declined', () => {
    const missed = callHistoryEntry(
      dated([callEvents.offered(), 1_000], [callEvents.ended({ reason: CallEndReason.CANCELLED }), 9_000]),
    );
    expect(missed).toMatchObject({
      call_id: 'carrier-abc@10.0.0.1',
      direction: 'incoming',
      status: 'missed',
      connect_time: new Date(1_000).toISOString(),
      duration: 0,
      disconnect_reason: 'cancelled',
    });
    const declined = callHistoryEntry(
      dated([callEvents.offered(), 1_000], [callEvents.ended({ reason: CallEndReason.REJECTED }), 2_000]),
    );
    expect(declined?.status).toBe('declined');
  });

  it('an outgoing call refused busy is declined; a lost gateway or failure is an error', () => {
    const busy = (reason: CallEndReason) =>
      callHistoryEntry(dated([callEvents.requested(), 1_000], [callEvents.ended({ reason }), 2_000]))?.status;
    expect(busy(CallEndReason.BUSY)).toBe('declined');
    expect(busy(CallEndReason.NO_ANSWER)).toBe('missed');
    expect(busy(CallEndReason.GATEWAY_LOST)).toBe('error');
    expect(busy(CallEndReason.FAILED)).toBe('error');
    expect(busy(99 as CallEndReason)).toBe('error');
  });

  it('a call still going, or a stream that does not start a call, has no entry', () => {
    expect(callHistoryEntry(dated([callEvents.requested(), 1_000], [callEvents.answered(), 2_000]))).toBe(
      undefined,
    );
    expect(callHistoryEntry(dated([callEvents.answered(), 2_000], [callEvents.ended(), 3_000]))).toBe(
      undefined,
    );
    expect(callHistoryEntry([])).toBe(undefined);
  });
});
