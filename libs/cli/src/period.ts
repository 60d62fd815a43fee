import { CliUsageError } from './errors.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A `--from`/`--to` value as epoch milliseconds: an RFC 3339 time with an offset
 * (`2026-11-25T09:00:00Z`, `2026-11-25T10:00+01:00`) or a UTC date (`2026-11-25`, its midnight).
 * A time without an offset is refused: a reconciliation must never depend on the machine's zone.
 */
export function parseTimeOption(option: string, value: string): number {
  const text = value.trim();
  const ms = DATE.test(text)
    ? Date.parse(`${text}T00:00:00Z`)
    : DATE_TIME.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new CliUsageError(
      `${option} "${value}" is not a time: give RFC 3339 with an offset (2026-11-25T09:00:00Z) or a UTC date (2026-11-25)`,
    );
  }
  return ms;
}

export interface Period {
  readonly fromMs: number;
  readonly toMs: number;
}

/** `[from, to)`; both required, `to` after `from`. */
export function parsePeriod(from: string | undefined, to: string | undefined): Period {
  if (from === undefined || to === undefined) throw new CliUsageError('give both --from and --to');
  const period = { fromMs: parseTimeOption('--from', from), toMs: parseTimeOption('--to', to) };
  if (period.toMs <= period.fromMs) throw new CliUsageError(`--to ${to} is not after --from ${from}`);
  return period;
}

export function isoOf(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}
