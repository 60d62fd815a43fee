import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GatewayLoad, selectGateway } from '../src/domain/gateway-selection.js';

const gateway = (id: string, region: string, liveCalls: number, capacity = 10, up = true): GatewayLoad => ({
  id,
  region,
  liveCalls,
  capacity,
  up,
});

const pickedId = (gateways: readonly GatewayLoad[], region: string): string | undefined => {
  const selection = selectGateway(gateways, region);
  return 'gateway' in selection ? selection.gateway.id : undefined;
};

describe('picking a Janus gateway for a call', () => {
  it('prefers the call region, then the least loaded gateway there', () => {
    const gateways = [gateway('eu-1', 'eu', 5), gateway('eu-2', 'eu', 2), gateway('us-1', 'us', 0)];
    expect(selectGateway(gateways, 'eu')).toEqual({ gateway: gateways[1], inPreferredRegion: true });
  });

  it('goes to another region when none in the call region can take it', () => {
    const gateways = [gateway('eu-1', 'eu', 10), gateway('us-1', 'us', 3), gateway('us-2', 'us', 1)];
    expect(selectGateway(gateways, 'eu')).toEqual({ gateway: gateways[2], inPreferredRegion: false });
    expect(pickedId([gateway('eu-1', 'eu', 0, 10, false), gateway('us-1', 'us', 9)], 'eu')).toBe('us-1');
  });

  it('compares load as a share of capacity, then free slots, then id', () => {
    // 10 of 100 is less loaded than 2 of 10.
    expect(pickedId([gateway('small', 'eu', 2, 10), gateway('big', 'eu', 10, 100)], 'eu')).toBe('big');
    // Both empty: the one with more room.
    expect(pickedId([gateway('small', 'eu', 0, 10), gateway('big', 'eu', 0, 100)], 'eu')).toBe('big');
    // Same share and room: the lower id, whatever the order given.
    expect(pickedId([gateway('b', 'eu', 1), gateway('a', 'eu', 1)], 'eu')).toBe('a');
  });

  it('never picks a gateway that is down or full', () => {
    expect(pickedId([gateway('down', 'eu', 0, 10, false), gateway('ok', 'eu', 9)], 'eu')).toBe('ok');
    expect(pickedId([gateway('full', 'eu', 10), gateway('ok', 'us', 9)], 'eu')).toBe('ok');
  });

  it('says why when no gateway can take the call', () => {
    expect(selectGateway([], 'eu')).toEqual({ shortage: 'none-configured' });
    expect(selectGateway([gateway('a', 'eu', 0, 10, false)], 'eu')).toEqual({ shortage: 'none-up' });
    expect(selectGateway([gateway('a', 'eu', 10, 10), gateway('b', 'us', 3, 3)], 'eu')).toEqual({
      shortage: 'all-full',
    });
  });

  it('holds for any pool: the pick can take a call, prefers the region, and no candidate is less loaded', () => {
    const load = fc.record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      region: fc.constantFrom('eu', 'us', 'ap'),
      capacity: fc.integer({ min: 1, max: 50 }),
      liveCalls: fc.integer({ min: 0, max: 60 }),
      up: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(load, { maxLength: 12 }),
        fc.constantFrom('eu', 'us', 'ap'),
        (gateways, region) => {
          const selection = selectGateway(gateways, region);
          const available = gateways.filter((g) => g.up && g.liveCalls < g.capacity);
          if (!('gateway' in selection)) {
            expect(available).toEqual([]);
            return;
          }
          const picked = selection.gateway;
          expect(picked.up && picked.liveCalls < picked.capacity).toBe(true);
          const local = available.filter((g) => g.region === region);
          expect(selection.inPreferredRegion).toBe(local.length > 0);
          const candidates = local.length > 0 ? local : available;
          expect(candidates).toContain(picked);
          for (const other of candidates) {
            expect(picked.liveCalls / picked.capacity).toBeLessThanOrEqual(other.liveCalls / other.capacity);
          }
        },
      ),
    );
  });
});
