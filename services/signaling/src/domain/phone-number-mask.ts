/**
 * A phone number or SIP user as logs may show it: enough to tell two apart in one trace, not enough to
 * identify a subscriber (`+15551234567` -> `+15******67`).
 */
export function maskNumber(number: string): string {
  if (number.length <= 5) return '*'.repeat(number.length);
  const shown = number.length <= 8 ? 1 : 3;
  return `${number.slice(0, shown)}${'*'.repeat(number.length - shown - 2)}${number.slice(-2)}`;
}
