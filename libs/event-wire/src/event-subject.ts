/**
 * Subject scheme for stored events on NATS:
 *
 *   <prefix>.<tenant>.<category>.<streamId>.<type>      e.g. ringbus.events.acme.call.call-0192….CallEnded
 *
 * so a consumer filters by type (`ringbus.events.*.*.*.CallEnded`), tenant (`ringbus.events.acme.>`),
 * category (`ringbus.events.*.call.>`) or one stream (`ringbus.events.*.*.call-0192….*`).
 * A stream's category is its id up to the first `-` (`call-<uuid>` -> `call`).
 */
export const DEFAULT_EVENT_SUBJECT_PREFIX = 'ringbus.events';
export const DEFAULT_EVENTS_STREAM_NAME = 'RINGBUS_EVENTS';

// NATS subject tokens may not hold these; they are escaped rather than refused, so that any stream id
// the store accepted can still be relayed (a refused event would stall the relay forever).
const RESERVED_IN_TOKEN = /[%.*>\s]/g;

export function encodeSubjectToken(value: string): string {
  if (value === '') return '%00';
  return value.replace(
    RESERVED_IN_TOKEN,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export function decodeSubjectToken(token: string): string {
  if (token === '%00') return '';
  return token.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function streamCategoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
}

export interface EventSubjectParts {
  readonly tenant: string;
  readonly streamId: string;
  readonly type: string;
}

export function eventSubject(
  parts: EventSubjectParts,
  prefix: string = DEFAULT_EVENT_SUBJECT_PREFIX,
): string {
  return [
    prefix,
    encodeSubjectToken(parts.tenant),
    encodeSubjectToken(streamCategoryOf(parts.streamId)),
    encodeSubjectToken(parts.streamId),
    encodeSubjectToken(parts.type),
  ].join('.');
}

/** The filter for every event of one type, across tenants and streams. */
export function eventTypeFilter(type: string, prefix: string = DEFAULT_EVENT_SUBJECT_PREFIX): string {
  return `${prefix}.*.*.*.${encodeSubjectToken(type)}`;
}

/** The filter for every event of one stream category (e.g. `call`), optionally of one tenant. */
export function streamCategoryFilter(
  category: string,
  options: { tenant?: string; prefix?: string } = {},
): string {
  const tenant = options.tenant === undefined ? '*' : encodeSubjectToken(options.tenant);
  return `${options.prefix ?? DEFAULT_EVENT_SUBJECT_PREFIX}.${tenant}.${encodeSubjectToken(category)}.>`;
}

export function allEventsFilter(prefix: string = DEFAULT_EVENT_SUBJECT_PREFIX): string {
  return `${prefix}.>`;
}
