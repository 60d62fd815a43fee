import { CalleeNotDialableError } from './errors.js';

/** Where `{number}` goes in SIP_OUTBOUND_URI (e.g. `sip:{number}@trunk.example:5060`). */
export const NUMBER_PLACEHOLDER = '{number}';
/** Where `{caller}` goes in SIP_GUEST_URI (e.g. `sip:{caller}@ringbus.example`). */
export const CALLER_PLACEHOLDER = '{caller}';

// What people type between digits: spaces, dashes, dots, brackets.
const VISUAL_SEPARATORS = /[\s().-]/g;
const DIALLED_NUMBER = /^\+?[0-9*#]{1,32}$/;
// An extension or SIP user name. Deliberately narrower than RFC 3261's user part: no `;`, `?` or `&`,
// which some switches read as URI parameters or headers.
const SIP_USER = /^[A-Za-z0-9_.~+-]{1,64}$/;
const SIP_URI = /^sips?:([^@;>]+)@[^@]+$/i;

/**
 * The request URI of the INVITE for a dialled callee, through the configured trunk or proxy. Only the
 * number (or user name) of the callee is used: a softphone cannot choose the host its call goes to, so it
 * cannot route calls around the trunk (toll fraud) or at internal addresses.
 */
export function sipRequestUriFor(callee: string, outboundUriTemplate: string): string {
  return outboundUriTemplate.replace(NUMBER_PLACEHOLDER, sipUserPart(dialledUser(callee)));
}

/** The From identity of a guest (unregistered) line: SIP_GUEST_URI with the caller's number in it. */
export function guestIdentityFor(caller: string, guestUriTemplate: string): string {
  return guestUriTemplate.replace(CALLER_PLACEHOLDER, sipUserPart(userOf(caller) ?? 'anonymous'));
}

function dialledUser(callee: string): string {
  if (callee.trim() === '') throw new CalleeNotDialableError('the callee is empty');
  const user = userOf(callee);
  if (user === undefined) {
    throw new CalleeNotDialableError(
      'expected a number (digits, optional leading +, * and #) or a SIP user name (letters, digits, . _ ~ + -)',
    );
  }
  return user;
}

/** The number or user name in `value` (a number as typed, a user name, or a sip: URI), if it has one. */
function userOf(value: string): string | undefined {
  const trimmed = value.trim();
  const uri = SIP_URI.exec(trimmed);
  const candidate = uri === null ? trimmed : (uri[1] ?? '');
  const number = candidate.replace(VISUAL_SEPARATORS, '');
  if (DIALLED_NUMBER.test(number)) return number;
  if (SIP_USER.test(candidate)) return candidate;
  return undefined;
}

// `#` is not allowed unescaped in a SIP URI's user part (RFC 3261 §25.1); `*` and `+` are.
function sipUserPart(user: string): string {
  return user.replace(/#/g, '%23');
}

/**
 * Who a SIP URI names, as a softphone shows it: the user part (`sip:+15551230001@carrier.example;user=phone`
 * -> `+15551230001`, `%23` -> `#`), or the text as it is when it is not a SIP URI.
 */
export function userOfSipUri(uri: string): string {
  const match = /^sips?:([^@;>]+)@/i.exec(uri.trim());
  return match?.[1] === undefined ? uri : match[1].replace(/%23/gi, '#');
}
