import { type BillingRecord, dispositionOfBillingWord } from './billing-record.js';

/**
 * The CSV format of billing records that `ringbus reconcile --against-csv FILE` reads (docs/billing.md,
 * "Billing records as CSV"): RFC 4180 (comma separated, `"` quotes, `""` inside quotes), UTF-8, a
 * header row naming the columns in any order; unknown columns are ignored.
 *
 * | column | required | value |
 * |---|---|---|
 * | `call_id` | one of the two ids | Ringbus's callId |
 * | `sip_call_id` | one of the two ids | the SIP Call-ID the billing system saw |
 * | `start_time` | yes | RFC 3339 with an offset or `Z`, e.g. `2026-11-25T09:30:00Z` |
 * | `duration_seconds` | yes | billed seconds, a whole non-negative number |
 * | `disposition` | no | `answered`, `busy`, `no_answer`, `cancelled`, `failed`, `rejected`, or empty |
 */
export const BILLING_CSV_COLUMNS = [
  'call_id',
  'sip_call_id',
  'start_time',
  'duration_seconds',
  'disposition',
] as const;

/** A line of the file that could not be read; the line is left out and reported. */
export interface BillingCsvProblem {
  /** 1-based line number in the file (the header is line 1). */
  readonly line: number;
  /** The column at fault ('' when the line as a whole is at fault). */
  readonly column: string;
  readonly message: string;
}

export interface BillingCsvParse {
  readonly records: readonly BillingRecord[];
  readonly problems: readonly BillingCsvProblem[];
}

/** Thrown when the file cannot be read at all (no header, or a required column missing from it). */
export class BillingCsvHeaderError extends Error {}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses billing records from CSV text. Malformed lines do not stop the parse: each becomes a problem
 * naming its line and column, and the other lines are read. A header without `start_time`,
 * `duration_seconds`, or both ids missing, throws `BillingCsvHeaderError`: nothing could be read.
 */
export function parseBillingCsv(text: string, sourceName = 'csv'): BillingCsvParse {
  const rows = splitCsvRows(text);
  const header = rows[0];
  if (header === undefined || header.fields.every((field) => field.trim() === '')) {
    throw new BillingCsvHeaderError(
      `${sourceName}: no header row (expected ${BILLING_CSV_COLUMNS.join(',')})`,
    );
  }
  const index = new Map(header.fields.map((name, position) => [name.trim().toLowerCase(), position]));
  const missing = ['start_time', 'duration_seconds'].filter((name) => !index.has(name));
  if (!index.has('call_id') && !index.has('sip_call_id')) missing.push('call_id or sip_call_id');
  if (missing.length > 0) {
    throw new BillingCsvHeaderError(`${sourceName} line 1: header lacks ${missing.join(', ')}`);
  }
  const records: BillingRecord[] = [];
  const problems: BillingCsvProblem[] = [];
  if (header.unterminatedQuote) {
    problems.push({ line: header.line, column: '', message: 'a quoted field is never closed' });
  }
  for (const row of rows.slice(1)) {
    if (row.fields.length === 1 && row.fields[0] === '') continue; // blank line
    const parsed = recordOfRow(row, index, header.fields.length, sourceName);
    if ('problem' in parsed) problems.push(parsed.problem);
    else records.push(parsed.record);
  }
  return { records, problems };
}

function recordOfRow(
  row: CsvRow,
  index: ReadonlyMap<string, number>,
  columns: number,
  sourceName: string,
): { readonly record: BillingRecord } | { readonly problem: BillingCsvProblem } {
  const problem = (column: string, message: string) => ({ problem: { line: row.line, column, message } });
  if (row.unterminatedQuote) return problem('', 'a quoted field is never closed');
  if (row.fields.length !== columns) {
    return problem('', `${row.fields.length} fields where the header has ${columns}`);
  }
  const field = (name: string): string => {
    const position = index.get(name);
    return position === undefined ? '' : (row.fields[position] ?? '').trim();
  };
  const callId = field('call_id');
  const sipCallId = field('sip_call_id');
  if (callId === '' && sipCallId === '')
    return problem('call_id', 'neither call_id nor sip_call_id is given');
  const startTime = field('start_time');
  const startedAtMs = RFC3339.test(startTime) ? Date.parse(startTime.replace(' ', 'T')) : Number.NaN;
  if (!Number.isFinite(startedAtMs)) {
    return problem(
      'start_time',
      `"${startTime}" is not an RFC 3339 time with an offset, e.g. 2026-11-25T09:30:00Z`,
    );
  }
  const duration = field('duration_seconds');
  if (!/^\d{1,9}$/.test(duration)) {
    return problem('duration_seconds', `"${duration}" is not a whole non-negative number of seconds`);
  }
  const disposition = dispositionOfBillingWord(field('disposition'));
  if (disposition === undefined) {
    return problem('disposition', `"${field('disposition')}" is not a known disposition`);
  }
  return {
    record: {
      source: `${sourceName} line ${row.line}`,
      callId,
      sipCallId,
      startedAtMs,
      durationSeconds: Number(duration),
      disposition,
    },
  };
}

interface CsvRow {
  /** The line the row starts on (1-based). */
  readonly line: number;
  readonly fields: string[];
  readonly unterminatedQuote: boolean;
}

/** RFC 4180 rows: quoted fields may hold commas, quotes (`""`) and line breaks. */
function splitCsvRows(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let rowLine = 1;
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = (unterminatedQuote: boolean) => {
    fields.push(field);
    rows.push({ line: rowLine, fields, unterminatedQuote });
    fields = [];
    field = '';
  };
  while (i < body.length) {
    const char = body[i] as string;
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else {
        if (char === '\n') line += 1;
        field += char;
      }
      i += 1;
      continue;
    }
    if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[i + 1] === '\n') i += 1;
      endRow(false);
      line += 1;
      rowLine = line;
    } else field += char;
    i += 1;
  }
  if (quoted) endRow(true);
  else if (field !== '' || fields.length > 0) endRow(false);
  return rows;
}
