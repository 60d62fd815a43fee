import { describe, expect, it } from 'vitest';
import { subjectMatches } from '../src/index.js';

describe('subjectMatches', () => {
  it.each([
    ['ringbus.dlq.>', 'ringbus.dlq.billing', true],
    ['ringbus.dlq.>', 'ringbus.dlq', false],
    ['ringbus.*.billing', 'ringbus.dlq.billing', true],
    ['ringbus.*.billing', 'ringbus.dlq.push', false],
    ['ringbus.dlq.billing', 'ringbus.dlq.billing', true],
    ['ringbus.dlq.billing', 'ringbus.dlq.billing.x', false],
    ['>', 'anything.at.all', true],
  ])('%s matches %s: %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });
});
