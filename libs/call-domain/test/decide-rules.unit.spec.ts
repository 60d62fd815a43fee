import { create } from '@bufbuild/protobuf';
import { CallCommandSchema, CallEndReason, CallParty } from '@ringbus/proto';
import { describe, expect, it } from 'vitest';
import {
  CallCommandRejectedError,
  decide,
  initialCallState,
  sipCallIdFor,
  type CallRejectionCode,
  type CallState,
} from '../src/index.js';
import {
  CALL_ID,
  OTHER_CALL_ID,
  at,
  command,
  hangup,
  hold,
  offerCall,
  recordAnswered,
  recordEarlyMedia,
  recordInviteSent,
  recordRenegotiated,
  recordRinging,
  rejectionOf,
  requestCall,
  requestTransfer,
  resume,
  sendDtmf,
  stateAfter,
} from './call-commands.js';

const requested = stateAfter([requestCall(0)]);
const offered = stateAfter([offerCall(0)]);
const inviteSent = stateAfter([recordInviteSent(1)], requested);
const ringing = stateAfter([recordRinging(2)], inviteSent);
const earlyMedia = stateAfter([recordEarlyMedia(3)], ringing);
const answered = stateAfter([recordAnswered(4)], earlyMedia);
const held = stateAfter([hold(5)], answered);
const ended = stateAfter([hangup(6)], answered);

describe('commands a stage does not allow', () => {
  const cases: [string, CallState, ReturnType<typeof command>, CallRejectionCode][] = [
    ['ringing before the INVITE', requested, recordRinging(9), 'INVALID_TRANSITION'],
    ['early media before the INVITE', requested, recordEarlyMedia(9), 'INVALID_TRANSITION'],
    ['an answer before the INVITE', requested, recordAnswered(9), 'INVALID_TRANSITION'],
    ['an INVITE for an incoming call', offered, recordInviteSent(9), 'INVALID_TRANSITION'],
    [
      'a second INVITE with another Call-ID',
      ringing,
      recordInviteSent(9, sipCallIdFor(CALL_ID)),
      'INVALID_TRANSITION',
    ],
    ['hold while ringing', ringing, hold(9), 'INVALID_TRANSITION'],
    ['resume while ringing', ringing, resume(9), 'INVALID_TRANSITION'],
    ['DTMF while ringing', ringing, sendDtmf(9), 'INVALID_TRANSITION'],
    ['DTMF while held', held, sendDtmf(9), 'INVALID_TRANSITION'],
    ['a renegotiation before the answer', earlyMedia, recordRenegotiated(9), 'INVALID_TRANSITION'],
    ['a renegotiation of an offered call', offered, recordRenegotiated(9), 'INVALID_TRANSITION'],
    ['a transfer in early media', earlyMedia, requestTransfer(9), 'INVALID_TRANSITION'],
    ['a transfer of an offered call', offered, requestTransfer(9), 'INVALID_TRANSITION'],
    ['RequestCall for an existing call', ringing, requestCall(9), 'CALL_ALREADY_EXISTS'],
    ['OfferCall for an existing call', offered, offerCall(9), 'CALL_ALREADY_EXISTS'],
    ['hangup of a call with no events', initialCallState, hangup(9), 'CALL_NOT_FOUND'],
    ['an answer for a call with no events', initialCallState, recordAnswered(9), 'CALL_NOT_FOUND'],
    [
      'a SIP Call-ID not derived from the call id',
      requested,
      recordInviteSent(9, 'x@y'),
      'SIP_CALL_ID_MISMATCH',
    ],
    [
      'a SIP Call-ID of another call',
      requested,
      recordInviteSent(9, sipCallIdFor(OTHER_CALL_ID)),
      'SIP_CALL_ID_MISMATCH',
    ],
  ];

  it.each(cases)('rejects %s', (_, state, cmd, code) => {
    const rejection = rejectionOf(cmd, state);
    expect(rejection.code).toBe(code);
    expect(rejection.retryable).toBe(false);
    expect(rejection.status).toBe(state.status);
  });
});

describe('commands whose effect already holds are no-ops', () => {
  const cases: [string, CallState, ReturnType<typeof command>][] = [
    ['a repeated 180', ringing, recordRinging(9)],
    ['a 180 after early media', earlyMedia, recordRinging(9)],
    ['a late 180 after the answer', answered, recordRinging(9)],
    ['a repeated 183', earlyMedia, recordEarlyMedia(9)],
    ['a repeated answer', answered, recordAnswered(9)],
    ['an answer while held', held, recordAnswered(9)],
    ['a repeated INVITE record with the same Call-ID', ringing, recordInviteSent(9)],
    ['hold on a held call', held, hold(9)],
    ['resume on an answered call', answered, resume(9)],
  ];

  it.each(cases)('%s yields no event', (_, state, cmd) => {
    expect(decide(cmd, state)).toEqual([]);
  });
});

describe('an ended call', () => {
  it('is final: hangup again is a no-op, everything else is CALL_ALREADY_ENDED', () => {
    expect(decide(hangup(9, CallEndReason.FAILED, CallParty.SYSTEM), ended)).toEqual([]);
    for (const cmd of [
      requestCall(9),
      offerCall(9),
      recordInviteSent(9),
      recordRinging(9),
      recordEarlyMedia(9),
    ]) {
      expect(rejectionOf(cmd, ended).code).toBe('CALL_ALREADY_ENDED');
    }
    for (const cmd of [recordAnswered(9), hold(9), resume(9), sendDtmf(9), requestTransfer(9)]) {
      expect(rejectionOf(cmd, ended).code).toBe('CALL_ALREADY_ENDED');
    }
  });
});

describe('time comes with the command', () => {
  it('records a command stamped before the previous event at the previous event time', () => {
    const [late] = decide(hangup(-5_000), answered);

    expect(late?.event.value?.occurredAt).toEqual(at(4));
    expect(stateAfter([hangup(-5_000)], answered)).toMatchObject({ endedAt: at(4), answeredAt: at(4) });
  });

  it('does not share the Timestamp object of the command with the event', () => {
    const cmd = hangup(10);
    const [event] = decide(cmd, answered);
    expect(event?.event.value?.occurredAt).not.toBe(cmd.occurredAt);
  });
});

describe('malformed commands are INVALID_COMMAND whatever the state', () => {
  const noTime = create(CallCommandSchema, { callId: CALL_ID, command: { case: 'hold', value: {} } });
  const noAction = create(CallCommandSchema, { callId: CALL_ID, occurredAt: at(0) });
  const cases: [string, CallState, ReturnType<typeof command>][] = [
    ['a command without occurredAt', answered, noTime],
    ['a command without an action', answered, noAction],
    ['RequestCall with a call id that is not a UUIDv7', initialCallState, requestCall(0, 'AbC123')],
    ['RequestCall with an uppercase call id', initialCallState, requestCall(0, CALL_ID.toUpperCase())],
    [
      'a command of another call than the state',
      answered,
      command({ case: 'hold', value: {} }, 9, OTHER_CALL_ID),
    ],
    ['DTMF with letters outside A-D', answered, sendDtmf(9, '12x')],
    ['DTMF without digits', answered, sendDtmf(9, '')],
    [
      'hangup without a reason',
      answered,
      command({ case: 'hangup', value: { hungUpBy: CallParty.CALLER } }, 9),
    ],
    [
      'hangup without who hung up',
      answered,
      command({ case: 'hangup', value: { reason: CallEndReason.NORMAL } }, 9),
    ],
    [
      'hangup with a reason no schema defines',
      answered,
      command({ case: 'hangup', value: { reason: 99 as CallEndReason, hungUpBy: CallParty.CALLER } }, 9),
    ],
    [
      'hangup with SIP code 700',
      answered,
      command(
        { case: 'hangup', value: { reason: CallEndReason.FAILED, hungUpBy: CallParty.SYSTEM, sipCode: 700 } },
        9,
      ),
    ],
    ['a transfer to nobody', answered, command({ case: 'requestTransfer', value: { target: '' } }, 9)],
    [
      'a transfer replacing the call itself',
      answered,
      command({ case: 'requestTransfer', value: { target: '+1', replaceCallId: CALL_ID } }, 9),
    ],
    ['early media without SDP', ringing, command({ case: 'recordEarlyMedia', value: { sipCode: 183 } }, 9)],
    [
      'ringing with a final SIP code',
      inviteSent,
      command({ case: 'recordRinging', value: { sipCode: 200 } }, 9),
    ],
    ['a hangup with a malformed payload on an ended call', ended, command({ case: 'hangup', value: {} }, 9)],
  ];

  it.each(cases)('rejects %s', (_, state, cmd) => {
    const rejection = rejectionOf(cmd, state);
    expect(rejection).toBeInstanceOf(CallCommandRejectedError);
    expect(rejection.code).toBe('INVALID_COMMAND');
  });
});

describe('renegotiated media', () => {
  it('is recorded on an answered or held call and leaves its stage as it was', () => {
    for (const state of [answered, held]) {
      const events = decide(recordRenegotiated(9), state);
      expect(events.map((e) => e.event.case)).toEqual(['mediaRenegotiated']);
      expect(stateAfter([recordRenegotiated(9)], state).status).toBe(state.status);
    }
  });
});
