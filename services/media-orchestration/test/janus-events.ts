import { type SipLegEvent } from '../src/domain/sip-leg-event.js';

/** Janus SIP plugin events as the telephony-testkit e2e specs observed them (Janus 1.1.2). */
export const sip = (
  name: string,
  fields: { code?: number; reason?: string; sdp?: string; q850Cause?: number } = {},
): SipLegEvent => ({
  kind: 'plugin',
  name,
  code: fields.code,
  reason: fields.reason,
  sipCallId: undefined,
  jsep: fields.sdp === undefined ? undefined : { type: 'answer', sdp: fields.sdp },
  q850Cause: fields.q850Cause,
});

export const ANSWER_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=answer\r\n';
export const EARLY_SDP = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=early\r\n';
