import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { type AppendListener, type GlobalPosition, type RecordedEvent } from '@ringbus/event-store';
import { type BatchPublishTarget, publishBatch } from './batch-publisher.js';
import {
  EventRelayError,
  EventsStreamUnavailableError,
  RelayStateError,
  StoreOrderViolationError,
} from './errors.js';
import { ensureEventsStream, isStreamNotFound, readStreamTail, type StreamTail } from './events-stream.js';
import {
  type EventRelayOptions,
  RELAY_DEFAULTS,
  type ResolvedRelayOptions,
  resolveRelayOptions,
} from './relay-options.js';
import { backoffDelayMs, chooseResumePoint } from './resume-point.js';

export type EventRelayState =
  'created' | 'starting' | 'relaying' | 'idle' | 'backing-off' | 'stopping' | 'stopped';

export interface EventRelayStatus {
  readonly state: EventRelayState;
  readonly relayName: string;
  readonly streamName: string;
  /** Every stored event up to this position is on the stream. */
  readonly lastRelayedPosition: GlobalPosition | undefined;
  /** The stream's last sequence as this relay last saw it. */
  readonly lastStreamSequence: number | undefined;
  /** Events this relay itself stored on the stream since `start()` (not counting duplicates). */
  readonly relayedEvents: number;
  /** Acks that said JetStream already held the event. */
  readonly duplicateAcks: number;
  readonly consecutiveFailures: number;
  readonly lastError: { readonly code: string; readonly message: string } | undefined;
}

export interface EventRelay {
  /** Ensures the JetStream stream, loads the checkpoint, then relays in the background until `stop()`. */
  start(): Promise<void>;
  /** Lets the batch in flight finish (acks awaited, checkpoint written), then returns. */
  stop(): Promise<void>;
  status(): EventRelayStatus;
}

export function createEventRelay(options: EventRelayOptions): EventRelay {
  return new StoreToJetStreamRelay(resolveRelayOptions(options));
}

class StoreToJetStreamRelay implements EventRelay {
  private state: EventRelayState = 'created';
  private stopRequested = false;
  private loop: Promise<void> | undefined;
  private interruptPause: (() => void) | undefined;
  private pauseWakesOnAppend = false;
  /** Set by the append signal, cleared just before each read: a signal during a read is never lost. */
  private appendSignalled = false;
  /** With a wake-up, the next idle pause: short after news, doubling up to `idlePollMs`. */
  private settlePauseMs: number = RELAY_DEFAULTS.settlePollMs;
  private appendListener: AppendListener | undefined;
  private jsm: JetStreamManager | undefined;
  private resumeAfter: GlobalPosition | undefined;
  private streamSequence: number | undefined;
  private relayedEvents = 0;
  private duplicateAcks = 0;
  private consecutiveFailures = 0;
  private lastError: { code: string; message: string } | undefined;
  private readonly target: BatchPublishTarget;

  constructor(private readonly options: ResolvedRelayOptions) {
    this.target = {
      js: jetstream(options.nats),
      streamName: options.streamName,
      subjectPrefix: options.subjectPrefix,
      publishTimeoutMs: options.publishTimeoutMs,
    };
  }

  async start(): Promise<void> {
    if (this.state !== 'created')
      throw new RelayStateError(`the relay was already started (state ${this.state})`);
    this.state = 'starting';
    const { logger } = this.options;
    try {
      this.jsm = await jetstreamManager(this.options.nats);
      await this.ensureStream();
      this.resumeAfter = await this.options.checkpoint.load();
      this.appendListener = await this.options.wakeUp?.(() => this.onAppended());
    } catch (error) {
      this.state = 'stopped';
      throw error;
    }
    logger.info(
      { streamName: this.options.streamName, checkpoint: this.resumeAfter ?? null },
      'event relay started',
    );
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.interruptPause?.();
    if (this.loop === undefined) {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    await this.loop;
    await this.appendListener?.close();
    this.state = 'stopped';
    this.options.logger.info(
      { lastRelayedPosition: this.resumeAfter ?? null, relayedEvents: this.relayedEvents },
      'event relay stopped',
    );
  }

  status(): EventRelayStatus {
    return {
      state: this.state,
      relayName: this.options.checkpoint.relayName,
      streamName: this.options.streamName,
      lastRelayedPosition: this.resumeAfter,
      lastStreamSequence: this.streamSequence,
      relayedEvents: this.relayedEvents,
      duplicateAcks: this.duplicateAcks,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    let synced = false;
    while (!this.stopRequested) {
      try {
        if (!synced) {
          await this.syncWithStreamTail();
          synced = true;
        }
        const relayed = await this.relayOneBatch();
        this.consecutiveFailures = 0;
        if (relayed > 0) {
          this.settlePauseMs = RELAY_DEFAULTS.settlePollMs;
        } else {
          this.setState('idle');
          await this.pause(this.nextIdlePauseMs(), { wakesOnAppend: true });
        }
      } catch (error) {
        synced = false;
        await this.backOffAfter(error);
      }
    }
  }

  /** Returns how many events it read; throws when the batch could not be relayed entirely. */
  private async relayOneBatch(): Promise<number> {
    const { store, batchSize, checkpoint, logger } = this.options;
    this.appendSignalled = false;
    const events = await store.readAll({ after: this.resumeAfter, maxCount: batchSize });
    if (events.length === 0) return 0;
    requireAscending(this.resumeAfter, events);
    this.setState('relaying');
    const outcome = await publishBatch(this.target, this.streamSequence ?? 0, events);
    this.streamSequence = outcome.lastSequence;
    this.duplicateAcks += outcome.duplicates;
    if (outcome.lastPosition !== undefined) {
      this.resumeAfter = outcome.lastPosition;
      this.relayedEvents += outcome.relayed - outcome.duplicates;
      await checkpoint.save(outcome.lastPosition);
    }
    if (outcome.failure !== undefined) throw outcome.failure;
    logger.debug(
      { events: events.length, lastPosition: this.resumeAfter, streamSequence: this.streamSequence },
      'relayed a batch',
    );
    return events.length;
  }

  private async syncWithStreamTail(): Promise<void> {
    let tail: StreamTail;
    try {
      tail = await this.readTail();
    } catch (error) {
      if (error instanceof EventRelayError) throw error;
      throw new EventsStreamUnavailableError(this.options.streamName, { cause: error });
    }
    if (this.streamSequence !== undefined && tail.lastSequence < this.streamSequence) {
      // A purge keeps the last sequence; only a re-created stream or a server that lost acknowledged
      // writes (no `sync_interval: always`, OS crash) goes backwards. The relay does not re-send history
      // on its own: see "Recovering lost messages" in docs/event-relay.md.
      this.options.logger.error(
        { streamSequence: tail.lastSequence, acknowledgedSequence: this.streamSequence },
        'JetStream stream ends before messages it acknowledged: they were lost or the stream was re-created',
      );
    }
    const resumeAfter = chooseResumePoint(this.resumeAfter, tail.lastPosition);
    if (resumeAfter !== this.resumeAfter || tail.lastSequence !== this.streamSequence) {
      this.options.logger.info(
        {
          streamSequence: tail.lastSequence,
          streamTailPosition: tail.lastPosition ?? null,
          resumeAfter: resumeAfter ?? null,
        },
        'resuming after the later of checkpoint and stream tail',
      );
    }
    this.resumeAfter = resumeAfter;
    this.streamSequence = tail.lastSequence;
  }

  private async readTail(): Promise<StreamTail> {
    const jsm = this.requireManager();
    try {
      return await readStreamTail(jsm, this.options.streamName);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      // Deleted under us (or a NATS server that lost its store): put it back and start from the checkpoint.
      await this.ensureStream();
      return await readStreamTail(jsm, this.options.streamName);
    }
  }

  private async ensureStream(): Promise<void> {
    const ensured = await ensureEventsStream(this.requireManager(), {
      streamName: this.options.streamName,
      subjectPrefix: this.options.subjectPrefix,
      duplicateWindowMs: this.options.duplicateWindowMs,
      replicas: this.options.streamReplicas,
    });
    if (ensured.action !== 'keep') {
      this.options.logger.info(
        { streamName: this.options.streamName, action: ensured.action, changes: ensured.changes },
        'JetStream events stream set up',
      );
    }
  }

  private async backOffAfter(error: unknown): Promise<void> {
    this.consecutiveFailures++;
    const code = (error as { code?: unknown }).code;
    const retryable = (error as { retryable?: unknown }).retryable;
    this.lastError = {
      code: typeof code === 'string' ? code : error instanceof Error ? error.name : 'UNKNOWN',
      message: error instanceof Error ? error.message : String(error),
    };
    const delayMs = backoffDelayMs(this.consecutiveFailures, this.options.backoff, Math.random());
    // Conflicts with a second relay and outages are expected; only what retrying cannot fix is an error.
    const log = retryable === false ? this.options.logger.error : this.options.logger.warn;
    log.call(
      this.options.logger,
      {
        err: error,
        code: this.lastError.code,
        consecutiveFailures: this.consecutiveFailures,
        retryInMs: delayMs,
        resumeAfter: this.resumeAfter ?? null,
      },
      'event relay paused after a failure; nothing is skipped',
    );
    this.setState('backing-off');
    await this.pause(delayMs);
  }

  /**
   * A hint, never data: what is new comes from `readAll`. An event that committed while an older
   * transaction is still open is not readable yet, and that transaction's end sends no notification
   * (unless it appended), so after a wake-up the relay keeps re-polling on short, doubling pauses until
   * it finds something or reaches `idlePollMs`.
   */
  private onAppended(): void {
    this.appendSignalled = true;
    this.settlePauseMs = RELAY_DEFAULTS.settlePollMs;
    if (this.pauseWakesOnAppend) this.interruptPause?.();
  }

  private nextIdlePauseMs(): number {
    const { idlePollMs } = this.options;
    if (this.appendListener === undefined) return idlePollMs;
    const pauseMs = Math.min(this.settlePauseMs, idlePollMs);
    this.settlePauseMs = Math.min(this.settlePauseMs * 2, idlePollMs);
    return pauseMs;
  }

  private setState(state: EventRelayState): void {
    if (!this.stopRequested) this.state = state;
  }

  /** Ends early on `stop()`, and on an append signal when `wakesOnAppend` (not during a back-off). */
  private pause(ms: number, { wakesOnAppend = false } = {}): Promise<void> {
    if (this.stopRequested || (wakesOnAppend && this.appendSignalled)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptPause = undefined;
        this.pauseWakesOnAppend = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptPause = done;
      this.pauseWakesOnAppend = wakesOnAppend;
    });
  }

  private requireManager(): JetStreamManager {
    if (this.jsm === undefined) throw new RelayStateError('the relay has not been started');
    return this.jsm;
  }
}

/** A batch must continue the global order exactly where the last one ended. */
export function requireAscending(after: GlobalPosition | undefined, events: readonly RecordedEvent[]): void {
  let previous = after;
  for (const event of events) {
    if (previous !== undefined && !(previous < event.globalPosition)) {
      throw new StoreOrderViolationError(previous, event.globalPosition, event.eventId);
    }
    previous = event.globalPosition;
  }
}
