/** A JSEP session description as Janus sends and takes it. */
export interface Jsep {
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
}

/**
 * What happens on the Janus SIP handle that carries one call, in terms the translation understands:
 * - `plugin`: an event of the SIP plugin (`calling`, `ringing`, `proceeding`, `progress`, `accepted`,
 *   `hangup`, ...), with the fields we use. Janus's names, kept verbatim (docs/media-orchestration.md).
 * - `plugin-error`: the plugin refused a request (`{error_code, error}`), e.g. a `call` without an offer.
 * - `media-closed`: the Janus core closed the WebRTC PeerConnection (core `hangup {reason}`).
 * - `line-lost`: the handle vanished without us releasing it: its gateway connection or session died.
 */
export type SipLegEvent =
  | {
      readonly kind: 'plugin';
      readonly name: string;
      /** SIP status code (`proceeding`, `hangup`). */
      readonly code: number | undefined;
      /** SIP reason phrase (`hangup`). */
      readonly reason: string | undefined;
      readonly sipCallId: string | undefined;
      readonly jsep: Jsep | undefined;
      /** The cause of a `Reason: Q.850;cause=N` header on the message that ended the call. */
      readonly q850Cause: number | undefined;
      /** `incomingcall`: the caller's SIP URI, display name, and the URI it called. */
      readonly username?: string;
      readonly displayName?: string;
      readonly callee?: string;
    }
  | { readonly kind: 'plugin-error'; readonly errorCode: number; readonly error: string }
  | { readonly kind: 'media-closed'; readonly reason: string }
  | { readonly kind: 'line-lost'; readonly reason: string };

/** The parts of a raw Janus message the SIP plugin's events live in. */
export interface JanusPluginMessage {
  readonly plugindata?: { readonly plugin?: string; readonly data?: unknown };
  readonly jsep?: unknown;
}

/**
 * Reads a raw Janus `event` message of the SIP plugin. Returns undefined for anything else. We read raw
 * messages rather than janode's SIP wrapper because the wrapper drops `progress` (early media), `holding`,
 * `resuming` and `dtmfsent` as "unmanaged event" and turns `hangup` into a rejected promise.
 */
export function parseSipPluginMessage(message: JanusPluginMessage): SipLegEvent | undefined {
  const data = asRecord(message.plugindata?.data);
  if (data === undefined || data['sip'] !== 'event') return undefined;
  if (typeof data['error'] === 'string') {
    return { kind: 'plugin-error', errorCode: numberOr(data['error_code'], 0), error: data['error'] };
  }
  const result = asRecord(data['result']);
  const name = result?.['event'];
  if (result === undefined || typeof name !== 'string') return undefined;
  const sipCallId = data['call_id'] ?? result['call_id'];
  return {
    kind: 'plugin',
    name,
    code: typeof result['code'] === 'number' ? result['code'] : undefined,
    reason: typeof result['reason'] === 'string' ? result['reason'] : undefined,
    sipCallId: typeof sipCallId === 'string' ? sipCallId : undefined,
    jsep: jsepOf(message.jsep),
    q850Cause: q850CauseOf(result),
    ...optionalText('username', result['username']),
    ...optionalText('displayName', result['displayname']),
    ...optionalText('callee', result['callee']),
  };
}

function q850CauseOf(result: Readonly<Record<string, unknown>>): number | undefined {
  const protocol = result['reason_header_protocol'];
  if (typeof protocol !== 'string' || protocol.toUpperCase() !== 'Q.850') return undefined;
  const cause = Number(result['reason_header_cause']);
  return Number.isInteger(cause) && cause > 0 && cause < 128 ? cause : undefined;
}

function jsepOf(value: unknown): Jsep | undefined {
  const jsep = asRecord(value);
  if (jsep === undefined || typeof jsep['sdp'] !== 'string') return undefined;
  if (jsep['type'] !== 'offer' && jsep['type'] !== 'answer') return undefined;
  return { type: jsep['type'], sdp: jsep['sdp'] };
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function optionalText<K extends string>(key: K, value: unknown): Partial<Record<K, string>> {
  return typeof value === 'string' ? ({ [key]: value } as Record<K, string>) : {};
}
