import { type CallDetailRecord } from '../../domain/call-detail-record.js';

// COPY's text format: tab between columns, newline after each row, \N for NULL, and a backslash before
// a backslash, tab, newline or carriage return inside a value.
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function text(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] as string) : value;
}

function nullable(value: string | number | null): string {
  return value === null ? '\\N' : typeof value === 'number' ? String(value) : text(value);
}

/** Rows in COPY text format, columns in `CDR_COLUMNS` order (the table's). */
export function cdrCopyText(rows: readonly CallDetailRecord[]): string {
  let out = '';
  for (const cdr of rows) {
    out +=
      `${text(cdr.callId)}\t${text(cdr.tenant)}\t${cdr.direction}\t${text(cdr.userId)}\t${nullable(cdr.line)}\t` +
      `${text(cdr.clientCallId)}\t${text(cdr.sipCallId)}\t${text(cdr.carrierSipCallId)}\t` +
      `${text(cdr.callerDialled)}\t${cdr.callerE164}\t${text(cdr.calleeDialled)}\t${cdr.calleeE164}\t` +
      `${text(cdr.janusGatewayId)}\t${text(cdr.region)}\t${cdr.createdAtMs}\t${nullable(cdr.ringingAtMs)}\t` +
      `${nullable(cdr.answeredAtMs)}\t${nullable(cdr.endedAtMs)}\t${cdr.durationMs}\t${cdr.talkMs}\t` +
      `${cdr.billableSeconds}\t${nullable(cdr.disposition)}\t${cdr.endReason}\t${cdr.sipCode}\t${cdr.q850Cause}\t` +
      `${cdr.hungUpBy}\t${cdr.lastStreamVersion}\n`;
  }
  return out;
}

/** The column list of the COPY statement, in the order `cdrCopyText` writes. */
export const CDR_COPY_COLUMNS = [
  'call_id',
  'tenant',
  'direction',
  'user_id',
  'line',
  'client_call_id',
  'sip_call_id',
  'carrier_sip_call_id',
  'caller_dialled',
  'caller_e164',
  'callee_dialled',
  'callee_e164',
  'janus_gateway_id',
  'region',
  'created_at_ms',
  'ringing_at_ms',
  'answered_at_ms',
  'ended_at_ms',
  'duration_ms',
  'talk_ms',
  'billable_seconds',
  'disposition',
  'end_reason',
  'sip_code',
  'q850_cause',
  'hung_up_by',
  'last_stream_version',
] as const;
