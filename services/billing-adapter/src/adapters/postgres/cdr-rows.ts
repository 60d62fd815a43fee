import { type Insertable, type Selectable } from 'kysely';
import {
  type CallDetailRecord,
  type CdrDirection,
  type CdrDisposition,
  type CdrEndReason,
  type CdrParty,
} from '../../domain/call-detail-record.js';
import { type CdrTable } from './billing-schema.js';

export function cdrRowOf(cdr: CallDetailRecord): Insertable<CdrTable> {
  return {
    call_id: cdr.callId,
    tenant: cdr.tenant,
    direction: cdr.direction,
    user_id: cdr.userId,
    line: cdr.line,
    client_call_id: cdr.clientCallId,
    sip_call_id: cdr.sipCallId,
    carrier_sip_call_id: cdr.carrierSipCallId,
    caller_dialled: cdr.callerDialled,
    caller_e164: cdr.callerE164,
    callee_dialled: cdr.calleeDialled,
    callee_e164: cdr.calleeE164,
    janus_gateway_id: cdr.janusGatewayId,
    region: cdr.region,
    created_at_ms: cdr.createdAtMs,
    ringing_at_ms: cdr.ringingAtMs,
    answered_at_ms: cdr.answeredAtMs,
    ended_at_ms: cdr.endedAtMs,
    duration_ms: cdr.durationMs,
    talk_ms: cdr.talkMs,
    billable_seconds: cdr.billableSeconds,
    disposition: cdr.disposition,
    end_reason: cdr.endReason,
    sip_code: cdr.sipCode,
    q850_cause: cdr.q850Cause,
    hung_up_by: cdr.hungUpBy,
    last_stream_version: cdr.lastStreamVersion,
  };
}

const nullableNumber = (value: string | null): number | null => (value === null ? null : Number(value));

export function cdrOfRow(row: Selectable<CdrTable>): CallDetailRecord {
  return {
    callId: row.call_id,
    tenant: row.tenant,
    direction: row.direction as CdrDirection,
    userId: row.user_id,
    line: row.line,
    clientCallId: row.client_call_id,
    sipCallId: row.sip_call_id,
    carrierSipCallId: row.carrier_sip_call_id,
    callerDialled: row.caller_dialled,
    callerE164: row.caller_e164,
    calleeDialled: row.callee_dialled,
    calleeE164: row.callee_e164,
    janusGatewayId: row.janus_gateway_id,
    region: row.region,
    createdAtMs: Number(row.created_at_ms),
    ringingAtMs: nullableNumber(row.ringing_at_ms),
    answeredAtMs: nullableNumber(row.answered_at_ms),
    endedAtMs: nullableNumber(row.ended_at_ms),
    durationMs: Number(row.duration_ms),
    talkMs: Number(row.talk_ms),
    billableSeconds: row.billable_seconds,
    disposition: row.disposition as CdrDisposition | null,
    endReason: row.end_reason as CdrEndReason | '',
    sipCode: row.sip_code,
    q850Cause: row.q850_cause,
    hungUpBy: row.hung_up_by as CdrParty,
    lastStreamVersion: row.last_stream_version,
  };
}
