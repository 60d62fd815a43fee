import { type GlobalPosition } from '@ringbus/event-store';

/**
 * Where a relay last knew every stored event up to was on the bus. Only a lower bound: the stream's own
 * tail is the exact resume point, the checkpoint covers a stream that was purged or re-created.
 */
export interface RelayCheckpoint {
  readonly relayName: string;
  /** The saved position, or undefined when this relay never relayed anything. */
  load(): Promise<GlobalPosition | undefined>;
  /** Never moves the checkpoint backwards, even when a slower relay of the same name saves later. */
  save(position: GlobalPosition): Promise<void>;
}

export function createInMemoryRelayCheckpoint(relayName: string, initial?: GlobalPosition): RelayCheckpoint {
  let saved = initial;
  return {
    relayName,
    load: () => Promise.resolve(saved),
    save(position) {
      if (saved === undefined || saved < position) saved = position;
      return Promise.resolve();
    },
  };
}
