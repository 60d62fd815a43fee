import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globalPositionOf, type GlobalPosition } from '@ringbus/event-store';
import { backoffDelayMs, chooseResumePoint, createInMemoryRelayCheckpoint } from '../src/index.js';

const position = (group: bigint, sequence: bigint): GlobalPosition => globalPositionOf(group, sequence);

describe('resume point', () => {
  it('is the stream tail when a crash hit between the publish and the checkpoint write', () => {
    const checkpoint = position(10n, 5n);
    const tail = position(12n, 1n);
    expect(chooseResumePoint(checkpoint, tail)).toBe(tail);
  });

  it('is the checkpoint when the stream was purged or re-created behind it', () => {
    const checkpoint = position(12n, 1n);
    expect(chooseResumePoint(checkpoint, undefined)).toBe(checkpoint);
    expect(chooseResumePoint(checkpoint, position(3n, 9n))).toBe(checkpoint);
  });

  it('is the start of the store when neither knows anything', () => {
    expect(chooseResumePoint(undefined, undefined)).toBeUndefined();
  });

  it('is always the greatest candidate, whatever their order', () => {
    const arbitraryPosition = fc
      .tuple(fc.bigInt({ min: 0n, max: 2n ** 63n }), fc.bigInt({ min: 0n, max: 2n ** 63n }))
      .map(([group, sequence]) => position(group, sequence));
    fc.assert(
      fc.property(
        fc.array(fc.option(arbitraryPosition, { nil: undefined }), { maxLength: 5 }),
        (candidates) => {
          const chosen = chooseResumePoint(...candidates);
          const defined = candidates.filter((c): c is GlobalPosition => c !== undefined);
          if (defined.length === 0) return chosen === undefined;
          const sortedByParts = [...defined].sort((a, b) => {
            const [ga, sa] = a.split('.').map(BigInt) as [bigint, bigint];
            const [gb, sb] = b.split('.').map(BigInt) as [bigint, bigint];
            return ga !== gb ? (ga < gb ? -1 : 1) : sa < sb ? -1 : sa > sb ? 1 : 0;
          });
          return chosen === sortedByParts[sortedByParts.length - 1];
        },
      ),
    );
  });
});

describe('back-off after a failure', () => {
  const bounds = { initialMs: 100, maxMs: 5_000 };

  it('doubles from the initial delay and stays under the bound', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelayMs(n, bounds))).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000,
    ]);
  });

  it('jitter only shortens the delay, by at most a fifth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (n, jitter) => {
          const plain = backoffDelayMs(n, bounds);
          const jittered = backoffDelayMs(n, bounds, jitter);
          return jittered <= plain && jittered >= Math.floor(plain * 0.8);
        },
      ),
    );
  });
});

describe('in-memory relay checkpoint', () => {
  it('never moves backwards', async () => {
    const checkpoint = createInMemoryRelayCheckpoint('relay-a');
    expect(await checkpoint.load()).toBeUndefined();
    await checkpoint.save(position(5n, 1n));
    await checkpoint.save(position(4n, 9n));
    expect(await checkpoint.load()).toBe(position(5n, 1n));
    await checkpoint.save(position(5n, 2n));
    expect(await checkpoint.load()).toBe(position(5n, 2n));
  });
});
