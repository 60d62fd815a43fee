import { describe, expect, it } from 'vitest';
import { CliConfigurationError, loadCliConfig, parsePeriod, parseTimeOption } from '../src/index.js';

describe('ringbus options and environment', () => {
  it('times are RFC 3339 with an offset or UTC dates; a time without an offset is refused', () => {
    expect(parseTimeOption('--from', '2026-11-25')).toBe(Date.UTC(2026, 10, 25));
    expect(parseTimeOption('--from', '2026-11-25T10:00+01:00')).toBe(Date.UTC(2026, 10, 25, 9));
    expect(parseTimeOption('--from', '2026-11-25T09:00:00.250Z')).toBe(Date.UTC(2026, 10, 25, 9, 0, 0, 250));
    expect(() => parseTimeOption('--to', '2026-11-25T09:00:00')).toThrow(
      '--to "2026-11-25T09:00:00" is not a time',
    );
    expect(() => parseTimeOption('--to', 'yesterday')).toThrow('is not a time');
  });

  it('a period needs both ends, the second after the first', () => {
    expect(parsePeriod('2026-11-25', '2026-11-26')).toEqual({
      fromMs: Date.UTC(2026, 10, 25),
      toMs: Date.UTC(2026, 10, 26),
    });
    expect(() => parsePeriod('2026-11-25', '2026-11-25')).toThrow(
      '--to 2026-11-25 is not after --from 2026-11-25',
    );
    expect(() => parsePeriod(undefined, '2026-11-25')).toThrow('give both --from and --to');
  });

  it('configuration errors name every bad variable; empty means unset', () => {
    const config = loadCliConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', CDR_SCHEMA: '' });
    expect(config).toEqual({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', CDR_DEFAULT_COUNTRY_CODE: '' });
    let error: unknown;
    try {
      loadCliConfig({ CDR_SCHEMA: 'Bad-Name', CDR_DEFAULT_COUNTRY_CODE: '+49' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliConfigurationError);
    expect((error as CliConfigurationError).problems.map((problem) => problem.variable)).toEqual([
      'DATABASE_URL',
      'CDR_SCHEMA',
      'CDR_DEFAULT_COUNTRY_CODE',
    ]);
    expect((error as Error).message).toContain('DATABASE_URL is required');
    expect(() => loadCliConfig({ DATABASE_URL: 'mysql://x/y' })).toThrow(
      'DATABASE_URL must be a URL like postgres://',
    );
  });
});
