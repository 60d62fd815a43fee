import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIGNALING_VERSION } from '../src/version.js';

describe('service version', () => {
  it('is package.json’s (system-info reports it)', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(SIGNALING_VERSION).toBe(manifest.version);
  });
});
