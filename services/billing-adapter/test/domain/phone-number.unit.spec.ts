import { describe, expect, it } from 'vitest';
import { normaliseE164 } from '../../src/domain/phone-number.js';

const germany = { defaultCountryCode: '49' };
const nanp = { defaultCountryCode: '1' };
const none = { defaultCountryCode: '' };

describe('E.164 normalisation', () => {
  it.each([
    ['+49 30 1234567', germany, '+49301234567'],
    ['+1 (555) 010-0199', none, '+15550100199'],
    ['0049 30 1234567', germany, '+49301234567'],
    ['0049301234567', none, '+49301234567'],
    ['030/1234567', germany, '+49301234567'],
    ['tel:+49-30-1234567;ext=12', none, '+49301234567'],
    ['sip:+4930123456@carrier.example;user=phone', none, '+4930123456'],
    ['(212) 555-0100', nanp, '+12125550100'],
    ['1 212 555 0100', nanp, '+12125550100'],
    ['011 49 30 1234567', nanp, '+49301234567'],
  ])('%s -> %s', (dialled, plan, expected) => {
    expect(normaliseE164(dialled, plan)).toBe(expected);
  });

  it.each([
    ['030 1234567', none],
    ['112', germany],
    ['*21#', germany],
    ['alice', germany],
    ['sip:alice@example.com', germany],
    ['+49', none],
    ['+1234567890123456', none],
    ['+0301234567', none],
    ['', germany],
    ['555 0100', nanp],
    ['0 212 555 0100', nanp],
  ])('%s is not clearly a public number: empty', (dialled, plan) => {
    expect(normaliseE164(dialled, plan)).toBe('');
  });
});
