/**
 * PortaBilling's JSON (REST) API as Ringbus uses it: request bodies built and responses read by pure
 * functions, so the wire format is tested without a server. Written from PortaOne's public API
 * documentation ("Retrieving data from PortaBilling", the Account/Customer `get_xdr_list` reference and
 * the xDR field appendix); docs/billing.md, "PortaBilling", lists what we rely on.
 *
 * - Every method is `POST /rest/<Service>/<method>` with a JSON body `{ auth_info, params }`;
 *   `Session/login` takes `{ params: { login, password } }` and answers `session_id` (and an
 *   `access_token` we do not use).
 * - A failed method answers HTTP 500 with `{ faultcode, faultstring }`.
 * - Times in params and xDRs are `YYYY-MM-DD hh:mm:ss` in the API user's time zone; Ringbus requires
 *   that user to be set to UTC.
 */
import { type BillingRecord } from '../../../domain/billing-record.js';
import { type CdrDisposition } from '../../../domain/call-detail-record.js';

export const PORTABILLING_METHODS = {
  login: 'Session/login',
  accountInfo: 'Account/get_account_info',
  accountXdrs: 'Account/get_xdr_list',
  customerXdrs: 'Customer/get_xdr_list',
} as const;
export type PortaBillingMethod = (typeof PORTABILLING_METHODS)[keyof typeof PORTABILLING_METHODS];

export interface PortaBillingRequest {
  readonly path: string;
  readonly body: string;
}

/** The URL path and JSON body of a method call; `sessionId` null for the login itself. */
export function portaBillingRequest(
  method: PortaBillingMethod,
  params: Readonly<Record<string, unknown>>,
  sessionId: string | null,
): PortaBillingRequest {
  const body = sessionId === null ? { params } : { auth_info: { session_id: sessionId }, params };
  return { path: `/rest/${method}`, body: JSON.stringify(body) };
}

export function loginParams(login: string, password: string): Record<string, string> {
  return { login, password };
}

/** `YYYY-MM-DD hh:mm:ss` (UTC) of epoch milliseconds, as PortaBilling takes times. */
export function portaBillingTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Epoch milliseconds of a PortaBilling time (`YYYY-MM-DD hh:mm:ss`, UTC); NaN when not one. */
export function msOfPortaBillingTime(text: unknown): number {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(text)) return Number.NaN;
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

export type XdrScope =
  | { readonly kind: 'account'; readonly iAccount: number }
  | { readonly kind: 'customer'; readonly iCustomer: number };

/** One page of xDRs of calls connected in [fromMs, toMs), unsuccessful attempts included. */
export function xdrPageParams(
  scope: XdrScope,
  fromMs: number,
  toMs: number,
  offset: number,
  limit: number,
): { readonly method: PortaBillingMethod; readonly params: Record<string, unknown> } {
  const common = {
    from_date: portaBillingTime(fromMs),
    to_date: portaBillingTime(toMs),
    show_unsuccessful: 1,
    offset,
    limit,
  };
  return scope.kind === 'account'
    ? { method: PORTABILLING_METHODS.accountXdrs, params: { i_account: scope.iAccount, ...common } }
    : { method: PORTABILLING_METHODS.customerXdrs, params: { i_customer: scope.iCustomer, ...common } };
}

/** What a response says: the method's result, or PortaBilling's fault. */
export type PortaBillingReply =
  | { readonly kind: 'result'; readonly result: Readonly<Record<string, unknown>> }
  | { readonly kind: 'fault'; readonly faultcode: string; readonly faultstring: string }
  | { readonly kind: 'unreadable'; readonly message: string };

export function readPortaBillingReply(status: number, bodyText: string): PortaBillingReply {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return { kind: 'unreadable', message: `HTTP ${status}, body is not JSON` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'unreadable', message: `HTTP ${status}, body is not a JSON object` };
  }
  const record = body as Record<string, unknown>;
  if (typeof record['faultcode'] === 'string') {
    return {
      kind: 'fault',
      faultcode: record['faultcode'],
      faultstring: typeof record['faultstring'] === 'string' ? record['faultstring'] : '',
    };
  }
  if (status < 200 || status >= 300) return { kind: 'unreadable', message: `HTTP ${status} without a fault` };
  return { kind: 'result', result: record };
}

/**
 * Faults that mean the session is gone (expired, logged out, never valid): log in again once and repeat.
 * PortaBilling names them under `Server.Session`; authentication failures of the login itself are not
 * retried.
 */
export function isSessionFault(faultcode: string): boolean {
  return /^Server\.Session\./i.test(faultcode) && !/login|password|credentials/i.test(faultcode);
}

export function sessionIdOfLogin(result: Readonly<Record<string, unknown>>): string | undefined {
  const sessionId = result['session_id'];
  return typeof sessionId === 'string' && sessionId !== '' ? sessionId : undefined;
}

/** An account as Ringbus needs it: its billing id and its SIP credentials (the account id is the SIP user). */
export interface PortaBillingAccount {
  readonly iAccount: number;
  readonly id: string;
  readonly iCustomer: number | null;
  readonly sipUser: string;
  readonly sipPassword: string;
}

export function accountOfInfo(result: Readonly<Record<string, unknown>>): PortaBillingAccount | undefined {
  const info = result['account_info'];
  if (typeof info !== 'object' || info === null) return undefined;
  const account = info as Record<string, unknown>;
  const iAccount = Number(account['i_account']);
  if (!Number.isInteger(iAccount) || typeof account['id'] !== 'string') return undefined;
  const iCustomer = Number(account['i_customer']);
  return {
    iAccount,
    id: account['id'],
    iCustomer: Number.isInteger(iCustomer) ? iCustomer : null,
    sipUser: account['id'],
    sipPassword: typeof account['h323_password'] === 'string' ? account['h323_password'] : '',
  };
}

/** One page of xDRs as billing records, with the xDRs that could not be read. */
export interface XdrPage {
  readonly records: readonly BillingRecord[];
  readonly problems: readonly { readonly where: string; readonly message: string }[];
  /** xDRs on the page, readable or not: a page shorter than the limit is the last. */
  readonly size: number;
}

export function readXdrPage(
  result: Readonly<Record<string, unknown>>,
  pageLabel: string,
): XdrPage | undefined {
  const list = result['xdr_list'];
  if (!Array.isArray(list)) return undefined;
  const records: BillingRecord[] = [];
  const problems: { where: string; message: string }[] = [];
  list.forEach((item: unknown, index) => {
    const read = billingRecordOfXdr(item);
    if (typeof read === 'string')
      problems.push({ where: `portabilling ${pageLabel} xDR ${index + 1}`, message: read });
    else records.push(read);
  });
  return { records, problems, size: list.length };
}

/**
 * An xDR as a billing record: matched by its `call_id` (the SIP Call-ID of the session; `h323_conf_id`
 * when absent), started at `connect_time`, lasting `used_quantity` seconds (the call's own length:
 * `charged_quantity` is rounded by the tariff's intervals and would never reconcile per second). Its
 * disposition comes from the duration and the Q.850 `disconnect_cause` (hexadecimal): talk time means
 * answered; causes 17, 18/19 and 21 are busy, no answer and rejected; any other end of an unconnected
 * attempt says nothing we can compare (null).
 */
export function billingRecordOfXdr(item: unknown): BillingRecord | string {
  if (typeof item !== 'object' || item === null) return 'not an object';
  const xdr = item as Record<string, unknown>;
  const text = (field: string) => (typeof xdr[field] === 'string' ? (xdr[field] as string) : '');
  const sipCallId = text('call_id') || text('h323_conf_id');
  if (sipCallId === '') return 'neither call_id nor h323_conf_id';
  const startedAtMs = msOfPortaBillingTime(xdr['connect_time']);
  if (!Number.isFinite(startedAtMs))
    return `connect_time ${JSON.stringify(xdr['connect_time'])} is not a time`;
  const used = Number(xdr['used_quantity'] ?? 0);
  if (!Number.isFinite(used) || used < 0)
    return `used_quantity ${JSON.stringify(xdr['used_quantity'])} is not a number`;
  return {
    source: `portabilling i_xdr ${String(xdr['i_xdr'] ?? '?')}`,
    callId: '',
    sipCallId,
    startedAtMs,
    durationSeconds: Math.ceil(used),
    disposition: dispositionOfXdr(used, xdr['disconnect_cause']),
  };
}

function dispositionOfXdr(usedSeconds: number, cause: unknown): CdrDisposition | null {
  if (usedSeconds > 0) return 'answered';
  const q850 =
    typeof cause === 'string' && /^(0x)?[0-9a-f]+$/i.test(cause) ? parseInt(cause, 16) : Number.NaN;
  switch (q850) {
    case 17:
      return 'busy';
    case 18:
    case 19:
      return 'no_answer';
    case 21:
      return 'rejected';
    default:
      return null;
  }
}
