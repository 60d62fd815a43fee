/**
 * Sends the "events were appended" notification after appends commit, coalesced: at most one
 * notification is in flight per store, and every append that commits while one is in flight is covered
 * by exactly one more sent after it. Under load that is far fewer statements than appends, and every
 * append still has a notification that started after it committed.
 */
export interface AppendSignalSender {
  /** Call after an append committed; never waits and never fails (the notification is only a hint). */
  signal(): void;
  /** Resolves when no notification is in flight. */
  settled(): Promise<void>;
}

export function coalescedAppendSignal(send: () => Promise<unknown>): AppendSignalSender {
  let inFlight: Promise<void> | undefined;
  let again = false;

  async function sendUntilCaughtUp(): Promise<void> {
    do {
      again = false;
      try {
        await send();
      } catch {
        // A lost hint only delays listeners until their next poll; the append itself succeeded.
      }
    } while (again);
    inFlight = undefined;
  }

  return {
    signal(): void {
      if (inFlight !== undefined) {
        again = true;
        return;
      }
      inFlight = sendUntilCaughtUp();
    },
    async settled(): Promise<void> {
      await inFlight;
    },
  };
}
