import { CallDirection, CallEndReason, CallParty } from '@ringbus/proto';
import { describe, expect, it } from 'vitest';
import { decide, initialCallState } from '../src/index.js';
import {
  CALL_ID,
  casesOf,
  hangup,
  offerCall,
  recordAnswered,
  recordRinging,
  rejectionOf,
  stateAfter,
} from './call-commands.js';

describe('an incoming call', () => {
  it('OfferCall yields CallOffered with the carrier SIP Call-ID beside our call id', () => {
    const [offered] = decide(offerCall(0), initialCallState);

    expect(offered?.event).toMatchObject({
      case: 'callOffered',
      value: {
        callId: CALL_ID,
        carrierSipCallId: 'a84b4c76e66710@carrier.example',
        caller: '+15550142',
        callerDisplayName: 'Front desk',
        sdpOffer: 'v=0 carrier offer',
        janusGatewayId: 'gw-eu-1',
      },
    });
    expect(stateAfter([offerCall(0)])).toMatchObject({
      status: 'offered',
      direction: CallDirection.INCOMING,
      carrierSipCallId: 'a84b4c76e66710@carrier.example',
      sipCallId: '',
      line: undefined,
    });
  });

  it("is answered by our user's accept and can then end normally", () => {
    const offered = stateAfter([offerCall(0)]);

    expect(casesOf(decide(recordAnswered(5), offered))).toEqual(['answered']);
    expect(stateAfter([recordAnswered(5), hangup(9)], offered)).toMatchObject({
      status: 'ended',
      answeredAt: expect.anything(),
    });
  });

  it('can be declined before the answer', () => {
    const declined = hangup(3, CallEndReason.REJECTED, CallParty.CALLEE);
    expect(stateAfter([offerCall(0), declined])).toMatchObject({
      status: 'ended',
      endReason: CallEndReason.REJECTED,
    });
  });

  it('does not ring or send an INVITE: those are outgoing stages', () => {
    expect(rejectionOf(recordRinging(1), stateAfter([offerCall(0)])).code).toBe('INVALID_TRANSITION');
  });
});
