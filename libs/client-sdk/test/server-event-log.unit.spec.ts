import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '@ringbus/softphone-protocol';
import { eventMatching, SignalingClosedError, SignalingTimeoutError } from '../src/index.js';
import { closeInfo } from '../src/client-errors.js';
import { ServerEventLog } from '../src/server-event-log.js';

const ringing = (callId: string): ServerEvent => ({ event: 'ringing', line: 0, call_id: callId });
const closed = new SignalingClosedError(closeInfo(4502, 'keep-alive timeout', 'server'));

describe('server event log', () => {
  it('keeps a bounded history addressed by absolute marks', () => {
    const log = new ServerEventLog(2);
    const start = log.mark();
    for (const id of ['a', 'b', 'c']) log.record(ringing(id));
    expect(log.mark()).toBe(start + 3);
    expect(log.since(start)).toEqual([ringing('b'), ringing('c')]);
    expect(log.since(start + 2)).toEqual([ringing('c')]);
  });

  it('resolves a waiter from the history since a mark, or from what comes next', async () => {
    const log = new ServerEventLog(10);
    const mark = log.mark();
    log.record(ringing('a'));
    await expect(log.wait(eventMatching('ringing', { callId: 'a' }), 1000, mark)).resolves.toEqual(
      ringing('a'),
    );
    const next = log.wait(eventMatching('ringing', { callId: 'b' }), 1000, log.mark());
    log.record(ringing('x'));
    log.record(ringing('b'));
    await expect(next).resolves.toEqual(ringing('b'));
    await expect(log.wait(() => false, 20, log.mark())).rejects.toBeInstanceOf(SignalingTimeoutError);
    await expect(
      log.wait(
        () => {
          throw new RangeError('bad predicate');
        },
        1000,
        mark,
      ),
    ).rejects.toBeInstanceOf(RangeError);
  });

  it('subscribes at once, drains after the end, then finishes; waiters fail on the end', async () => {
    const log = new ServerEventLog(10);
    const stream = log.subscribe();
    log.record(ringing('a'));
    const waiting = log.wait(eventMatching('hangup'), 1000, log.mark());
    log.record(ringing('b'));
    log.end(closed);
    await expect(waiting).rejects.toMatchObject({ closeCode: 4502 });
    const seen: ServerEvent[] = [];
    for await (const event of stream) seen.push(event);
    expect(seen).toEqual([ringing('a'), ringing('b')]);
    // After the end, a wait still finds what had arrived, and fails otherwise.
    await expect(log.wait(eventMatching('ringing', { callId: 'b' }), 1000, 0)).resolves.toEqual(ringing('b'));
    await expect(log.wait(eventMatching('hangup'), 1000, 0)).rejects.toBeInstanceOf(SignalingClosedError);
  });

  it('stops delivering to an iterator that returned, even while it waits', async () => {
    const log = new ServerEventLog(10);
    const stream = log.subscribe();
    const pending = stream.next();
    await stream.return?.();
    log.record(ringing('a'));
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
  });
});
