import { callIdOfStream } from '@ringbus/call-domain';
import { type CallDetailRecord, isFinal } from './call-detail-record.js';
import {
  type CdrEventProblem,
  endReasonField,
  optionalUintField,
  partyField,
  readableData,
  type StoredCallEvent,
  stringField,
  timestampMsField,
  uintField,
  UnreadableEventData,
} from './cdr-event.js';
import { billableSecondsOf, dispositionOf } from './disposition.js';
import { normaliseE164, type NumberPlan } from './phone-number.js';

/** One event folded into a record: the new record, or why the event was left out (record unchanged). */
export type CdrStep =
  | { readonly kind: 'applied'; readonly cdr: CallDetailRecord }
  | { readonly kind: 'skipped'; readonly problem: CdrEventProblem };

/** The record of a call before its first event. */
export function emptyCdr(callId: string, tenant: string): CallDetailRecord {
  return {
    callId,
    tenant,
    direction: '',
    userId: '',
    line: null,
    clientCallId: '',
    sipCallId: '',
    carrierSipCallId: '',
    callerDialled: '',
    callerE164: '',
    calleeDialled: '',
    calleeE164: '',
    janusGatewayId: '',
    region: '',
    createdAtMs: 0,
    ringingAtMs: null,
    answeredAtMs: null,
    endedAtMs: null,
    durationMs: 0,
    talkMs: 0,
    billableSeconds: 0,
    disposition: null,
    endReason: '',
    sipCode: 0,
    q850Cause: 0,
    hungUpBy: '',
    lastStreamVersion: 0,
  };
}

/**
 * Folds one event of a call into its record. Pure and deterministic: the same events in stream order
 * give the same record, field for field, whoever folds them (the live consumer or a rebuild).
 *
 * The caller feeds events in stream order, each once (the live projection checks versions, the rebuild
 * reads the store in order). An event this code cannot read — a type it does not know, a newer schema
 * version, malformed data — or one after CallEnded is `skipped`: the record keeps its last version, and
 * the caller reports the problem.
 */
export function foldCdrEvent(
  cdr: CallDetailRecord | undefined,
  event: StoredCallEvent,
  plan: NumberPlan,
): CdrStep {
  const readable = readableData(event);
  if ('problem' in readable) return { kind: 'skipped', problem: readable.problem };
  const base = cdr ?? emptyCdr(callIdOfStream(event.streamId) ?? '', event.tenant);
  if (isFinal(base)) {
    return {
      kind: 'skipped',
      problem: {
        code: 'EVENT_AFTER_CALL_ENDED',
        eventId: event.eventId,
        type: event.type,
        message: `stream version ${event.streamVersion} follows CallEnded`,
      },
    };
  }
  try {
    return { kind: 'applied', cdr: applyData(base, event.type, readable.data, event.streamVersion, plan) };
  } catch (error) {
    if (!(error instanceof UnreadableEventData)) throw error;
    return {
      kind: 'skipped',
      problem: {
        code: 'EVENT_DATA_INVALID',
        eventId: event.eventId,
        type: event.type,
        message: error.message,
      },
    };
  }
}

function occurredAt(data: Readonly<Record<string, unknown>>): number {
  return timestampMsField(data, 'occurredAt');
}

/**
 * The record after one readable event. Each case builds exactly one new object (spread and overrides):
 * a rebuild folds millions of events, and every extra object is garbage to collect.
 */
function applyData(
  cdr: CallDetailRecord,
  type: string,
  data: Readonly<Record<string, unknown>>,
  lastStreamVersion: number,
  plan: NumberPlan,
): CallDetailRecord {
  const at = occurredAt(data);
  // The first event folded in dates the call.
  const createdAtMs = cdr.lastStreamVersion === 0 ? at : cdr.createdAtMs;
  switch (type) {
    case 'CallRequested': {
      const caller = stringField(data, 'caller');
      const callee = stringField(data, 'callee');
      return {
        ...cdr,
        createdAtMs,
        lastStreamVersion,
        direction: 'outgoing',
        userId: stringField(data, 'userId'),
        line: optionalUintField(data, 'line'),
        clientCallId: stringField(data, 'clientCallId'),
        callerDialled: caller,
        callerE164: normaliseE164(caller, plan),
        calleeDialled: callee,
        calleeE164: normaliseE164(callee, plan),
      };
    }
    case 'CallOffered': {
      const caller = stringField(data, 'caller');
      const callee = stringField(data, 'callee');
      return {
        ...cdr,
        createdAtMs,
        lastStreamVersion,
        direction: 'incoming',
        userId: stringField(data, 'userId'),
        line: optionalUintField(data, 'line'),
        carrierSipCallId: stringField(data, 'carrierSipCallId'),
        callerDialled: caller,
        callerE164: normaliseE164(caller, plan),
        calleeDialled: callee,
        calleeE164: normaliseE164(callee, plan),
        janusGatewayId: stringField(data, 'janusGatewayId'),
        region: stringField(data, 'region'),
        // Our user's phone alerts from the moment the carrier's offer reaches Ringbus.
        ringingAtMs: cdr.ringingAtMs ?? at,
      };
    }
    case 'SipInviteSent':
      // The gateway that sent the last INVITE is the one that carried the call.
      return {
        ...cdr,
        createdAtMs,
        lastStreamVersion,
        sipCallId: stringField(data, 'sipCallId'),
        janusGatewayId: stringField(data, 'janusGatewayId'),
        region: stringField(data, 'region'),
      };
    case 'Ringing':
    case 'EarlyMedia':
      return { ...cdr, createdAtMs, lastStreamVersion, ringingAtMs: cdr.ringingAtMs ?? at };
    case 'Answered':
      return { ...cdr, createdAtMs, lastStreamVersion, answeredAtMs: cdr.answeredAtMs ?? at };
    case 'CallEnded': {
      const endReason = endReasonField(data, 'reason');
      const talkMs = cdr.answeredAtMs === null ? 0 : Math.max(0, at - cdr.answeredAtMs);
      return {
        ...cdr,
        createdAtMs,
        lastStreamVersion,
        endedAtMs: at,
        durationMs: Math.max(0, at - createdAtMs),
        talkMs,
        billableSeconds: billableSecondsOf(talkMs),
        disposition: dispositionOf(endReason, cdr.answeredAtMs !== null),
        endReason,
        sipCode: uintField(data, 'sipCode'),
        q850Cause: uintField(data, 'q850Cause'),
        hungUpBy: partyField(data, 'hungUpBy'),
      };
    }
    default:
      // HeldByUs, Resumed, DtmfSent, TransferRequested, MediaRenegotiated: no CDR field, only the version.
      return { ...cdr, createdAtMs, lastStreamVersion };
  }
}

/** A call's record from its events in stream order, with the events that were left out. */
export function cdrFromEvents(
  events: Iterable<StoredCallEvent>,
  plan: NumberPlan,
): { readonly cdr: CallDetailRecord | undefined; readonly skipped: readonly CdrEventProblem[] } {
  let cdr: CallDetailRecord | undefined;
  const skipped: CdrEventProblem[] = [];
  for (const event of events) {
    const step = foldCdrEvent(cdr, event, plan);
    if (step.kind === 'applied') cdr = step.cdr;
    else skipped.push(step.problem);
  }
  return { cdr, skipped };
}
