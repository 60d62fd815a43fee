/**
 * The wall-clock time (ms since the epoch, with microseconds as a fraction) of a sipp `-trace_msg` entry,
 * whose stamp is local time like `2026-11-25 09:11:35.123456`; undefined when the stamp has another shape.
 */
export function sippTraceTimeMs(loggedAt: string): number | undefined {
  const match = /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/.exec(loggedAt);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '0'] = match;
  const wholeSeconds = new Date(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  ).getTime();
  return wholeSeconds + Number(`0.${fraction}`) * 1000;
}
