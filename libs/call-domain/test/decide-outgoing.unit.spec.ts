import { CallDirection, CallEndReason, CallParty, HoldMediaDirection } from '@ringbus/proto';
import { describe, expect, it } from 'vitest';
import { callStateViolations, decide, initialCallState, sipCallIdFor } from '../src/index.js';
import {
  CALL_ID,
  at,
  casesOf,
  command,
  hangup,
  hold,
  recordAnswered,
  recordEarlyMedia,
  recordInviteSent,
  recordRinging,
  requestCall,
  requestTransfer,
  resume,
  sendDtmf,
  stateAfter,
} from './call-commands.js';

describe('an outgoing call, stage by stage', () => {
  it('RequestCall on no call yields CallRequested with the command id, time and offer', () => {
    const [event, ...rest] = decide(requestCall(0), initialCallState);

    expect(rest).toEqual([]);
    expect(event?.event.case).toBe('callRequested');
    expect(event?.event.value).toMatchObject({
      callId: CALL_ID,
      occurredAt: at(0),
      userId: 'user-7',
      line: 0,
      caller: '+15550100',
      callee: '+15550199',
      sdpOffer: 'v=0 offer',
      clientCallId: 'AbC123',
    });
    expect(stateAfter([requestCall(0)])).toMatchObject({
      status: 'requested',
      direction: CallDirection.OUTGOING,
      sipCallId: '',
      startedAt: at(0),
    });
  });

  it('RecordInviteSent records our derived SIP Call-ID and the gateway', () => {
    const requested = stateAfter([requestCall(0)]);
    const sipCallId = sipCallIdFor(CALL_ID, 'ringbus.example');

    const events = decide(recordInviteSent(10, sipCallId), requested);

    expect(casesOf(events)).toEqual(['sipInviteSent']);
    expect(events[0]?.event.value).toMatchObject({ sipCallId, janusGatewayId: 'gw-eu-1', region: 'eu' });
    expect(stateAfter([recordInviteSent(10, sipCallId)], requested)).toMatchObject({
      status: 'invite_sent',
      sipCallId,
      janusGatewayId: 'gw-eu-1',
    });
  });

  it('goes ringing -> early media -> answered, setting answeredAt at the answer', () => {
    const sent = stateAfter([requestCall(0), recordInviteSent(10)]);

    expect(casesOf(decide(recordRinging(20), sent))).toEqual(['ringing']);
    const ringing = stateAfter([recordRinging(20)], sent);
    expect(ringing.status).toBe('ringing');

    expect(casesOf(decide(recordEarlyMedia(30), ringing))).toEqual(['earlyMedia']);
    const early = stateAfter([recordEarlyMedia(30)], ringing);
    expect(early.status).toBe('early_media');

    const answered = stateAfter([recordAnswered(40)], early);
    expect(answered).toMatchObject({ status: 'answered', answeredAt: at(40) });
    expect(callStateViolations(answered)).toEqual([]);
  });

  it('allows early media straight after the INVITE and an answer without ringing', () => {
    const sent = stateAfter([requestCall(0), recordInviteSent(10)]);

    expect(stateAfter([recordEarlyMedia(20)], sent).status).toBe('early_media');
    expect(stateAfter([recordAnswered(20)], sent).status).toBe('answered');
  });

  it('holds and resumes an answered call', () => {
    const answered = stateAfter([requestCall(0), recordInviteSent(1), recordAnswered(2)]);
    const holdInactive = command({ case: 'hold', value: { mediaDirection: HoldMediaDirection.INACTIVE } }, 3);

    const [held] = decide(holdInactive, answered);
    expect(held?.event).toMatchObject({
      case: 'heldByUs',
      value: { mediaDirection: HoldMediaDirection.INACTIVE },
    });
    expect(stateAfter([holdInactive], answered).status).toBe('held');
    expect(casesOf(decide(resume(4), stateAfter([hold(3)], answered)))).toEqual(['resumed']);
    expect(stateAfter([hold(3), resume(4)], answered)).toMatchObject({
      status: 'answered',
      answeredAt: at(2),
    });
  });

  it('sends DTMF on an answered call, digits in upper case', () => {
    const answered = stateAfter([requestCall(0), recordInviteSent(1), recordAnswered(2)]);

    const [dtmf] = decide(sendDtmf(3, '1a*#'), answered);

    expect(dtmf?.event).toMatchObject({ case: 'dtmfSent', value: { digits: '1A*#', occurredAt: at(3) } });
    expect(stateAfter([sendDtmf(3)], answered)).toMatchObject({ status: 'answered', lastEventAt: at(3) });
  });

  it('requests a transfer of an answered or held call and remembers the target', () => {
    const answered = stateAfter([requestCall(0), recordInviteSent(1), recordAnswered(2)]);

    expect(casesOf(decide(requestTransfer(3), answered))).toEqual(['transferRequested']);
    expect(stateAfter([hold(3), requestTransfer(4)], answered)).toMatchObject({
      status: 'held',
      transferTarget: '+15550123',
    });
  });

  it('ends with who hung up, the SIP code, the Q.850 cause and the reason', () => {
    const answered = stateAfter([requestCall(0), recordInviteSent(1), recordAnswered(2)]);

    const [ended] = decide(hangup(60_000, CallEndReason.NORMAL, CallParty.CALLEE), answered);

    expect(ended?.event).toMatchObject({
      case: 'callEnded',
      value: {
        callId: CALL_ID,
        occurredAt: at(60_000),
        reason: CallEndReason.NORMAL,
        hungUpBy: CallParty.CALLEE,
        sipCode: 200,
        q850Cause: 16,
        reasonText: 'BYE',
      },
    });
    const state = stateAfter([hangup(60_000, CallEndReason.NORMAL, CallParty.CALLEE)], answered);
    expect(state).toMatchObject({
      status: 'ended',
      endedAt: at(60_000),
      answeredAt: at(2),
      endReason: CallEndReason.NORMAL,
      hungUpBy: CallParty.CALLEE,
      sipCode: 200,
      q850Cause: 16,
    });
    expect(callStateViolations(state)).toEqual([]);
  });

  it('ends from every live stage, e.g. a gateway lost while ringing', () => {
    const ringing = stateAfter([requestCall(0), recordInviteSent(1), recordRinging(2)]);
    const lost = command(
      { case: 'hangup', value: { reason: CallEndReason.GATEWAY_LOST, hungUpBy: CallParty.SYSTEM } },
      5,
    );

    expect(stateAfter([lost], ringing)).toMatchObject({
      status: 'ended',
      endReason: CallEndReason.GATEWAY_LOST,
      hungUpBy: CallParty.SYSTEM,
      answeredAt: undefined,
    });
    expect(stateAfter([requestCall(0), hangup(1, CallEndReason.CANCELLED)]).status).toBe('ended');
  });
});
