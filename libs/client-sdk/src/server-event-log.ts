import type { ServerEvent } from '@ringbus/softphone-protocol';
import { SignalingClosedError, SignalingTimeoutError } from './client-errors.js';

interface Waiter {
  readonly predicate: (event: ServerEvent) => boolean;
  readonly resolve: (event: ServerEvent) => void;
  readonly reject: (error: unknown) => void;
}

interface Subscriber {
  readonly queue: ServerEvent[];
  wake: (() => void) | undefined;
}

/**
 * The events a socket received, in order: a bounded history addressed by marks (so a test can wait for an
 * event that may already have arrived), one-shot waiters, and any number of async iterators.
 */
export class ServerEventLog {
  private readonly history: ServerEvent[] = [];
  // Events shifted out of the bounded history; marks stay absolute.
  private dropped = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly subscribers = new Set<Subscriber>();
  private ended: SignalingClosedError | undefined;

  constructor(private readonly historyLimit: number) {}

  /** Position after the last event received so far. */
  mark(): number {
    return this.dropped + this.history.length;
  }

  /** Events received since `mark` that are still in the history. */
  since(mark: number): readonly ServerEvent[] {
    return this.history.slice(Math.max(0, mark - this.dropped));
  }

  record(event: ServerEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      this.history.shift();
      this.dropped += 1;
    }
    for (const waiter of this.waiters) this.offer(waiter, event);
    for (const subscriber of this.subscribers) {
      subscriber.queue.push(event);
      subscriber.wake?.();
    }
  }

  wait(predicate: (event: ServerEvent) => boolean, timeoutMs: number, since: number): Promise<ServerEvent> {
    return new Promise((resolve, reject) => {
      // Armed only if no past event matches; the waiter's settle functions may run before that.
      const clock: { timer?: ReturnType<typeof setTimeout> } = {};
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          clearTimeout(clock.timer);
          this.waiters.delete(waiter);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(clock.timer);
          this.waiters.delete(waiter);
          reject(error);
        },
      };
      for (const event of this.since(since)) {
        if (this.offer(waiter, event)) return;
      }
      if (this.ended !== undefined) {
        waiter.reject(
          new SignalingClosedError(this.ended.close, 'signaling socket closed before the event came'),
        );
        return;
      }
      this.waiters.add(waiter);
      clock.timer = setTimeout(
        () => waiter.reject(new SignalingTimeoutError('EVENT_TIMEOUT', 'no matching event', timeoutMs)),
        timeoutMs,
      );
    });
  }

  /**
   * An iterator over events from now on. It subscribes at once (an async generator would only subscribe on
   * its first `next()`, missing what arrives before) and finishes when the socket has closed and it is drained.
   */
  subscribe(): AsyncIterableIterator<ServerEvent> {
    const subscriber: Subscriber = { queue: [], wake: undefined };
    this.subscribers.add(subscriber);
    const finish = (): IteratorResult<ServerEvent, undefined> => {
      this.subscribers.delete(subscriber);
      subscriber.queue.length = 0;
      return { value: undefined, done: true };
    };
    const iterator: AsyncIterableIterator<ServerEvent> = {
      next: async () => {
        for (;;) {
          const next = subscriber.queue.shift();
          if (next !== undefined) return { value: next, done: false };
          if (this.ended !== undefined || !this.subscribers.has(subscriber)) return finish();
          await new Promise<void>((wake) => {
            subscriber.wake = wake;
          });
          subscriber.wake = undefined;
        }
      },
      return: async () => {
        const waiting = subscriber.wake;
        const done = finish();
        waiting?.();
        return done;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** The socket closed: waiters fail, iterators finish once they have drained what already arrived. */
  end(closed: SignalingClosedError): void {
    this.ended = closed;
    for (const waiter of this.waiters) {
      waiter.reject(new SignalingClosedError(closed.close, 'signaling socket closed before the event came'));
    }
    for (const subscriber of this.subscribers) subscriber.wake?.();
  }

  /** Hands `event` to `waiter` if it matches; a throwing predicate fails the wait rather than the socket. */
  private offer(waiter: Waiter, event: ServerEvent): boolean {
    let matches: boolean;
    try {
      matches = waiter.predicate(event);
    } catch (error) {
      waiter.reject(error);
      return true;
    }
    if (matches) waiter.resolve(event);
    return matches;
  }
}
