import { CallEndReason, CallParty, type CallCommand } from '@ringbus/proto';
import { isCallId } from './call-identity.js';

// SIP INFO dtmf-relay digits. Lowercase a-d are accepted and recorded in uppercase.
const DTMF_DIGITS = /^[0-9A-D*#]{1,64}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isProvisionalCode = (code: number): boolean => code === 0 || (code >= 101 && code <= 199);
const isSipCode = (code: number): boolean => code === 0 || (code >= 100 && code <= 699);
const isKnown = (values: object, value: number): boolean => Object.values(values).includes(value);

/**
 * What is wrong with a command on its own, whatever the call's state; undefined when nothing is.
 * Checked before the state so a malformed command is always INVALID_COMMAND, never a silent no-op.
 */
export function commandProblem(command: CallCommand): string | undefined {
  const c = command.command;
  switch (c.case) {
    case undefined:
      return 'the command names no action';
    case 'requestCall':
      if (!isCallId(command.callId)) return 'callId must be a lowercase UUIDv7 minted by Ringbus';
      if (c.value.userId === '') return 'userId is required';
      if (c.value.callee === '') return 'callee is required';
      if (c.value.sdpOffer === '') return 'sdpOffer is required';
      return undefined;
    case 'offerCall':
      if (!isCallId(command.callId)) return 'callId must be a lowercase UUIDv7 minted by Ringbus';
      if (c.value.userId === '') return 'userId is required';
      if (c.value.callee === '') return 'callee is required';
      if (c.value.sdpOffer === '') return 'sdpOffer is required';
      if (c.value.carrierSipCallId === '')
        return "carrierSipCallId is required: it is the carrier's handle on the call";
      if (c.value.janusGatewayId === '')
        return 'janusGatewayId is required: it is where the SIP dialog lives';
      return undefined;
    case 'recordInviteSent':
      if (c.value.janusGatewayId === '') return 'janusGatewayId is required';
      return undefined;
    case 'recordRinging':
      return isProvisionalCode(c.value.sipCode) ? undefined : 'sipCode must be 0 (unknown) or 101-199';
    case 'recordEarlyMedia':
      if (c.value.sdp === '') return 'sdp is required';
      return isProvisionalCode(c.value.sipCode) ? undefined : 'sipCode must be 0 (unknown) or 101-199';
    case 'recordAnswered':
      return c.value.sdpAnswer === '' ? 'sdpAnswer is required' : undefined;
    case 'recordRenegotiated':
      if (c.value.sdpOffer === '') return 'sdpOffer is required';
      return c.value.sdpAnswer === '' ? 'sdpAnswer is required' : undefined;
    case 'hold':
      return undefined;
    case 'resume':
      return undefined;
    case 'sendDtmf':
      return DTMF_DIGITS.test(c.value.digits) ? undefined : 'digits must be 1-64 of 0-9, *, #, A-D';
    case 'requestTransfer':
      if (c.value.target === '') return 'target is required';
      if (c.value.replaceCallId !== '' && !UUID.test(c.value.replaceCallId))
        return 'replaceCallId must be a call id';
      if (c.value.replaceCallId === command.callId) return 'a call cannot replace itself';
      return undefined;
    case 'hangup':
      if (c.value.reason === CallEndReason.UNSPECIFIED || !isKnown(CallEndReason, c.value.reason)) {
        return 'reason is required: say why the call ended (NORMAL, BUSY, GATEWAY_LOST, ...)';
      }
      if (c.value.hungUpBy === CallParty.UNSPECIFIED || !isKnown(CallParty, c.value.hungUpBy)) {
        return 'hungUpBy is required: CALLER, CALLEE or SYSTEM';
      }
      if (!isSipCode(c.value.sipCode)) return 'sipCode must be 0 (none) or 100-699';
      if (c.value.q850Cause > 127) return 'q850Cause must be 0 (unknown) or 1-127';
      return undefined;
  }
}
