import {
  type CallDetailRecord,
  type CallEventSummary,
  type Discrepancy,
  type ReconciliationRun,
} from '@ringbus/billing-adapter/reconcile';
import { isoOf } from './period.js';

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null)[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n') + '\n';
}

/** `v3 2026-11-25T09:30:05.000Z Answered` and its key fields. */
export function eventLine(event: CallEventSummary): string {
  const fields = Object.entries(event.fields).map(([key, value]) => `${key}=${value}`);
  return [`v${event.streamVersion}`, isoOf(event.occurredAtMs) || '(no time)', event.type, ...fields].join(
    ' ',
  );
}

const KIND_TITLES: Readonly<Record<Discrepancy['kind'], string>> = {
  missing_in_billing: 'missing in billing',
  missing_in_ringbus: 'missing in Ringbus',
  duplicate_in_billing: 'duplicate in billing',
  duration_mismatch: 'duration mismatch',
  disposition_mismatch: 'disposition mismatch',
  cdr_differs_from_replay: 'CDR differs from replay',
};

/** The report for a person: a summary, one table row per discrepancy, its events and records below. */
export function reconciliationText(run: ReconciliationRun): string {
  const lines: string[] = [
    `Reconciliation ${isoOf(run.fromMs)} .. ${isoOf(run.toMs)} against ${run.billingSystem}`,
    `calls replayed: ${run.callsReplayed} (${run.callsLive} still live, not compared); billing records: ${run.billingRecords}; matched: ${run.matched}`,
    '',
  ];
  if (run.discrepancies.length === 0) lines.push('No discrepancies.', '');
  else {
    lines.push(
      `${run.discrepancies.length} discrepancies:`,
      '',
      textTable(
        ['kind', 'call id', 'SIP Call-ID', 'detail'],
        run.discrepancies.map((each) => [
          KIND_TITLES[each.kind],
          each.callId || '-',
          each.sipCallId || '-',
          each.detail,
        ]),
      ),
      'What explains each:',
      '',
    );
    for (const discrepancy of run.discrepancies) {
      lines.push(`${KIND_TITLES[discrepancy.kind]} ${discrepancy.callId || discrepancy.sipCallId}`);
      for (const record of discrepancy.billing) {
        lines.push(
          `    billing: ${record.source}, started ${isoOf(record.startedAtMs)}, ${record.durationSeconds} s, ${record.disposition ?? 'no disposition'}`,
        );
      }
      for (const event of discrepancy.events) lines.push(`    event: ${eventLine(event)}`);
      if (discrepancy.billing.length === 0 && discrepancy.events.length === 0)
        lines.push('    (no events, no billing record)');
      lines.push('');
    }
  }
  for (const problem of run.billingProblems)
    lines.push(`billing record unreadable: ${problem.where}: ${problem.message}`);
  for (const problem of run.eventsLeftOut) {
    lines.push(
      `event left out of its CDR: ${problem.eventId} (${problem.type}) ${problem.code}: ${problem.message}`,
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export const RECONCILIATION_CSV_HEADER = [
  'kind',
  'call_id',
  'sip_call_id',
  'detail',
  'billing_records',
  'events',
] as const;

/** One row per discrepancy; billing records and events joined with ` | `. */
export function reconciliationCsv(run: ReconciliationRun): string {
  return (
    csvLine(RECONCILIATION_CSV_HEADER) +
    run.discrepancies
      .map((discrepancy) =>
        csvLine([
          discrepancy.kind,
          discrepancy.callId,
          discrepancy.sipCallId,
          discrepancy.detail,
          discrepancy.billing.map((record) => record.source).join(' | '),
          discrepancy.events.map(eventLine).join(' | '),
        ]),
      )
      .join('')
  );
}

/** The whole run as JSON, times also as RFC 3339 for people reading it. */
export function reconciliationJson(run: ReconciliationRun): string {
  return `${JSON.stringify({ from: isoOf(run.fromMs), to: isoOf(run.toMs), ...run }, null, 2)}\n`;
}

/** The `cdr` table's columns, in its order, with the record field each comes from. */
export const CDR_EXPORT_COLUMNS: readonly (readonly [string, keyof CallDetailRecord])[] = [
  ['call_id', 'callId'],
  ['tenant', 'tenant'],
  ['direction', 'direction'],
  ['user_id', 'userId'],
  ['line', 'line'],
  ['client_call_id', 'clientCallId'],
  ['sip_call_id', 'sipCallId'],
  ['carrier_sip_call_id', 'carrierSipCallId'],
  ['caller_dialled', 'callerDialled'],
  ['caller_e164', 'callerE164'],
  ['callee_dialled', 'calleeDialled'],
  ['callee_e164', 'calleeE164'],
  ['janus_gateway_id', 'janusGatewayId'],
  ['region', 'region'],
  ['created_at_ms', 'createdAtMs'],
  ['ringing_at_ms', 'ringingAtMs'],
  ['answered_at_ms', 'answeredAtMs'],
  ['ended_at_ms', 'endedAtMs'],
  ['duration_ms', 'durationMs'],
  ['talk_ms', 'talkMs'],
  ['billable_seconds', 'billableSeconds'],
  ['disposition', 'disposition'],
  ['end_reason', 'endReason'],
  ['sip_code', 'sipCode'],
  ['q850_cause', 'q850Cause'],
  ['hung_up_by', 'hungUpBy'],
  ['last_stream_version', 'lastStreamVersion'],
];

/** CDRs as CSV with the table's column names; a null is an empty field. */
export function cdrCsv(cdrs: readonly CallDetailRecord[]): string {
  return (
    csvLine(CDR_EXPORT_COLUMNS.map(([column]) => column)) +
    cdrs.map((cdr) => csvLine(CDR_EXPORT_COLUMNS.map(([, field]) => cdr[field]))).join('')
  );
}

/** CDRs as a JSON array of records (field names as in docs/billing.md's record, camelCase). */
export function cdrJson(cdrs: readonly CallDetailRecord[]): string {
  return `${JSON.stringify(cdrs, null, 2)}\n`;
}

/** `cdr list`: the columns a person scans for. */
export function cdrText(cdrs: readonly CallDetailRecord[]): string {
  if (cdrs.length === 0) return 'No CDRs.\n';
  return textTable(
    ['started', 'call id', 'dir', 'disposition', 'billable s', 'callee', 'SIP Call-ID'],
    cdrs.map((cdr) => [
      isoOf(cdr.createdAtMs),
      cdr.callId,
      cdr.direction === 'outgoing' ? 'out' : cdr.direction === 'incoming' ? 'in' : '?',
      cdr.disposition ?? 'live',
      String(cdr.billableSeconds),
      cdr.calleeE164 || cdr.calleeDialled,
      cdr.sipCallId || cdr.carrierSipCallId,
    ]),
  );
}
