// W3C Trace Context, version 00: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`, ids not all zero.
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The `traceparent` a request carries (a Ringbus extension: any request may add the W3C trace context of
 * the client's span), or '' when it has none or a malformed one. A bad value is dropped, never refused:
 * tracing must not break calls.
 */
export function traceparentOf(message: unknown): string {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return '';
  const value = (message as Record<string, unknown>)['traceparent'];
  return typeof value === 'string' && TRACEPARENT.test(value) ? value : '';
}
