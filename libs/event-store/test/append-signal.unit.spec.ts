import { describe, expect, it } from 'vitest';
import { coalescedAppendSignal } from '../src/postgres/append-signal.js';

describe('coalesced append signal', () => {
  it('keeps one notification in flight and sends one more for appends that committed meanwhile', async () => {
    const sent: (() => void)[] = [];
    const signal = coalescedAppendSignal(() => new Promise<void>((resolve) => sent.push(resolve)));
    signal.signal();
    signal.signal();
    signal.signal();
    expect(sent).toHaveLength(1);
    sent[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    // The two later appends may have committed after the first notification ran: one more covers both.
    expect(sent).toHaveLength(2);
    sent[1]?.();
    await signal.settled();
    expect(sent).toHaveLength(2);
    signal.signal();
    expect(sent).toHaveLength(3);
  });

  it('survives a failed notification', async () => {
    let calls = 0;
    const signal = coalescedAppendSignal(() => {
      calls++;
      return Promise.reject(new Error('server gone'));
    });
    signal.signal();
    await signal.settled();
    signal.signal();
    await signal.settled();
    expect(calls).toBe(2);
  });
});
