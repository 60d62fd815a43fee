import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareGlobalPositions, globalPositionOf, parseGlobalPosition } from '../src/index.js';

describe('global position', () => {
  it('orders as strings exactly as the (commit group, sequence) pairs order', () => {
    const part = fc.bigInt({ min: 0n, max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(part, part, part, part, (g1, s1, g2, s2) => {
        const byPair = g1 === g2 ? Math.sign(Number(s1 - s2)) : Math.sign(Number(g1 - g2));
        expect(compareGlobalPositions(globalPositionOf(g1, s1), globalPositionOf(g2, s2))).toBe(byPair);
      }),
    );
  });

  it('round-trips through its string form', () => {
    expect(parseGlobalPosition(globalPositionOf(42n, 7n))).toEqual({ commitGroup: 42n, sequence: 7n });
    expect(() => parseGlobalPosition('12.5')).toThrow(RangeError);
  });
});
