import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformBuildMissingError } from './errors.js';

/**
 * What the carrier (sipp with `scenarios/carrier.xml`) does with a call is chosen by the called number, so
 * one sipp serves every test of a platform: numbers starting with 486 are busy, every other number is
 * answered and then hung up by the carrier (BYE) after the platform's `carrierAnswerMs`.
 */
export const BUSY_NUMBER_PREFIX = '+486';
export const ANSWERING_NUMBER_PREFIX = '+1555';

/** A number the carrier refuses with 486 Busy Here; `suffix` (digits) makes it unique. */
export function busyNumber(suffix: string | number = '0100'): string {
  return `${BUSY_NUMBER_PREFIX}${digitsOf(suffix)}`;
}

/** A number the carrier answers (PCMU, RTP echoed), then hangs up with a BYE. */
export function answeringNumber(suffix: string | number = '0100'): string {
  return `${ANSWERING_NUMBER_PREFIX}${digitsOf(suffix)}`;
}

function digitsOf(suffix: string | number): string {
  const digits = String(suffix);
  if (!/^\d{1,12}$/.test(digits)) throw new RangeError(`a number suffix must be 1-12 digits, got ${digits}`);
  return digits;
}

/** The carrier scenario shipped with this lib (works from the sources and from `dist/`). */
export function carrierScenarioFile(): string {
  return shippedScenarioFile('carrier.xml');
}

/** A scenario file of `libs/platform-testkit/scenarios/` by name. */
export function shippedScenarioFile(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'scenarios'), join(here, '..', '..', 'scenarios')]) {
    const file = join(candidate, name);
    if (existsSync(file)) return file;
  }
  throw new PlatformBuildMissingError(`libs/platform-testkit/scenarios/${name}`);
}
