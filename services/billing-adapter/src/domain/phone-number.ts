/**
 * E.164 normalisation of a dialled string, for the CDR's `*_e164` columns. Deliberately small: it turns
 * a string that is clearly a full international number, or a national number of the one configured
 * default country, into `+<digits>`, and everything else (extensions, short codes, service numbers,
 * SIP user names, anything ambiguous) into the empty string. It never guesses a country.
 */

/** What a number may be written with besides digits: spaces and the usual visual separators. */
const VISUAL_SEPARATORS = /[\s\-.()/]/g;
const DIGITS = /^\d+$/;
/** ITU-T E.164: at most 15 digits with the country code; fewer than 7 is no public number anywhere. */
const MIN_E164_DIGITS = 7;
const MAX_E164_DIGITS = 15;

export interface NumberPlan {
  /**
   * The country code (digits, no `+`) of numbers dialled nationally, e.g. `49` or `1`; empty when the
   * deployment has no single home country, in which case only international forms are normalised.
   */
  readonly defaultCountryCode: string;
}

/**
 * `+<digits>` for `dialled`, or `''` when it is not clearly a public telephone number.
 *
 * Accepted forms (after removing a `tel:`/`sip:`/`sips:` scheme, the SIP host and URI parameters, and
 * visual separators): `+<cc><number>`; `00<cc><number>` (the international prefix of most of the world;
 * `011` instead when the default country is `1`, NANP); with a default country code, a national number
 * with trunk prefix `0` (`030 1234567` -> `+49301234567` for `49`), and for NANP a ten-digit number or
 * `1` + ten digits.
 */
export function normaliseE164(dialled: string, plan: NumberPlan): string {
  const number = userPartOf(dialled).replace(VISUAL_SEPARATORS, '');
  if (number.startsWith('+')) return e164(number.slice(1));
  if (!DIGITS.test(number)) return '';
  const countryCode = plan.defaultCountryCode;
  if (countryCode === '1') {
    if (number.startsWith('011')) return e164(number.slice(3));
    if (number.length === 10 && /^[2-9]/.test(number)) return e164(`1${number}`);
    if (number.length === 11 && /^1[2-9]/.test(number)) return e164(number);
    return '';
  }
  if (number.startsWith('00')) return e164(number.slice(2));
  if (countryCode !== '' && /^0[1-9]/.test(number)) return e164(`${countryCode}${number.slice(1)}`);
  return '';
}

function e164(digits: string): string {
  if (!DIGITS.test(digits) || digits.startsWith('0')) return '';
  if (digits.length < MIN_E164_DIGITS || digits.length > MAX_E164_DIGITS) return '';
  return `+${digits}`;
}

/** `sip:+4930123@carrier;user=phone` -> `+4930123`; `tel:+1-555-0100;ext=2` -> `+1-555-0100`. */
function userPartOf(dialled: string): string {
  let value = dialled.trim();
  const scheme = /^(tel|sips?):/i.exec(value);
  if (scheme !== null) value = value.slice(scheme[0].length);
  const at = value.indexOf('@');
  if (at >= 0) value = value.slice(0, at);
  const parameters = value.indexOf(';');
  if (parameters >= 0) value = value.slice(0, parameters);
  return value;
}

/** True when `code` can be a country code: 1–3 digits, not starting with 0. */
export function isCountryCode(code: string): boolean {
  return /^[1-9]\d{0,2}$/.test(code);
}
