import { type GatewayShortage } from './errors.js';

/** What the selection needs to know about one gateway at the moment a call is placed. */
export interface GatewayLoad {
  readonly id: string;
  readonly region: string;
  /** Calls the gateway may carry at once (from configuration). */
  readonly capacity: number;
  /** Calls it carries now, including calls still being set up. */
  readonly liveCalls: number;
  /** Connected, with a Janus session to attach SIP handles to. */
  readonly up: boolean;
}

export type GatewaySelection =
  | { readonly gateway: GatewayLoad; readonly inPreferredRegion: boolean }
  | { readonly shortage: GatewayShortage };

/**
 * Picks the gateway for a new call: a gateway that is up and below capacity, in the preferred region when
 * one there can take the call, else in any region (a call carried from afar beats a refused call). Among
 * those, the least loaded by share of capacity, so a big gateway fills at the pace of a small one; ties go
 * to the one with more free slots, then to the lower id, so the choice is deterministic.
 */
export function selectGateway(gateways: readonly GatewayLoad[], preferredRegion: string): GatewaySelection {
  if (gateways.length === 0) return { shortage: 'none-configured' };
  const up = gateways.filter((gateway) => gateway.up);
  if (up.length === 0) return { shortage: 'none-up' };
  const available = up.filter((gateway) => gateway.liveCalls < gateway.capacity);
  if (available.length === 0) return { shortage: 'all-full' };

  const local = available.filter((gateway) => gateway.region === preferredRegion);
  const candidates = local.length > 0 ? local : available;
  const [gateway] = [...candidates].sort(byLoad);
  // `available` is not empty, so neither is `candidates`.
  return { gateway: gateway as GatewayLoad, inPreferredRegion: local.length > 0 };
}

function byLoad(a: GatewayLoad, b: GatewayLoad): number {
  // a.liveCalls / a.capacity against b's, cross-multiplied to stay in integers.
  const share = a.liveCalls * b.capacity - b.liveCalls * a.capacity;
  if (share !== 0) return share;
  const free = b.capacity - b.liveCalls - (a.capacity - a.liveCalls);
  if (free !== 0) return free;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
