/** One SIP message as sipp's `-trace_msg` file recorded it. */
export interface TracedSipMessage {
  readonly direction: 'sent' | 'received';
  /** sipp's wall-clock timestamp of the message, as printed (local time). */
  readonly loggedAt: string;
  readonly startLine: string;
  /** The request method (INVITE, ACK, BYE, INFO, ...), undefined for responses. */
  readonly method: string | undefined;
  readonly requestUri: string | undefined;
  /** The response status code, undefined for requests. */
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly callId: string | undefined;
  readonly cseq: { readonly number: number; readonly method: string } | undefined;
  /** Header values by lower-case full header name (compact forms expanded), in order of appearance. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
}

const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
};

// sipp separates entries with a line of dashes and a timestamp, then "UDP message sent (N bytes):" or
// "UDP message received [N] bytes :", a blank line and the message.
const ENTRY_SEPARATOR = /^-{20,} (.*)$/m;
const ENTRY_HEADING = /^\w+ message (sent|received)\b.*$/;

/** Parses the text of a sipp `-trace_msg` file into its SIP messages, in file order. */
export function parseSippMessageTrace(text: string): TracedSipMessage[] {
  const normalized = text.replace(/\r\n/g, '\n');
  const parts = normalized.split(ENTRY_SEPARATOR);
  const messages: TracedSipMessage[] = [];
  // split() with one capture group yields [before, stamp1, entry1, stamp2, entry2, ...].
  for (let index = 1; index + 1 < parts.length; index += 2) {
    const message = parseEntry(parts[index] ?? '', parts[index + 1] ?? '');
    if (message !== undefined) messages.push(message);
  }
  return messages;
}

function parseEntry(loggedAt: string, entry: string): TracedSipMessage | undefined {
  const lines = entry.replace(/^\n+/, '').split('\n');
  const heading = ENTRY_HEADING.exec(lines[0] ?? '');
  if (heading === null) return undefined;
  const text = lines.slice(1).join('\n').replace(/^\n+/, '');
  const headerEnd = text.indexOf('\n\n');
  const headerBlock = headerEnd === -1 ? text : text.slice(0, headerEnd);
  const body = headerEnd === -1 ? '' : text.slice(headerEnd + 2).replace(/\n+$/, '\n');
  const [startLine = '', ...headerLines] = unfold(headerBlock.split('\n'));
  const headers: Record<string, string[]> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const rawName = line.slice(0, colon).trim().toLowerCase();
    const name = COMPACT_HEADER_NAMES[rawName] ?? rawName;
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  const response = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(startLine);
  const request = response === null ? /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(startLine) : null;
  const cseq = /^(\d+)\s+([A-Za-z]+)$/.exec(headers['cseq']?.[0] ?? '');
  return {
    direction: heading[1] === 'sent' ? 'sent' : 'received',
    loggedAt: loggedAt.trim(),
    startLine,
    method: request?.[1],
    requestUri: request?.[2],
    status: response === null ? undefined : Number(response[1]),
    reason: response?.[2],
    callId: headers['call-id']?.[0],
    cseq: cseq === null ? undefined : { number: Number(cseq[1]), method: (cseq[2] ?? '').toUpperCase() },
    headers,
    body: body.trim() === '' ? '' : body,
  };
}

/** Joins header continuation lines (starting with space or tab) to the header they continue. */
function unfold(lines: readonly string[]): string[] {
  const joined: string[] = [];
  for (const line of lines) {
    const previous = joined.length - 1;
    if (previous > 0 && /^[ \t]/.test(line)) joined[previous] += ` ${line.trim()}`;
    else joined.push(line);
  }
  return joined;
}
