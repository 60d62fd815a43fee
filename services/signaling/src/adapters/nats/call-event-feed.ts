import { setTimeout as sleep } from 'node:timers/promises';
import { type ConsumerMessages, jetstream } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { type RecordedEvent } from '@ringbus/event-store';
import { waitForEventsStream } from '@ringbus/bus';
import { decodeEventMessage, streamCategoryFilter } from '@ringbus/event-wire';
import { type ServiceLogger } from '@ringbus/service-kit';

export interface CallEventFeedOptions {
  readonly nats: NatsConnection;
  readonly streamName: string;
  readonly subjectPrefix: string;
  readonly logger: ServiceLogger;
  /** Called for each call event, in stream order. Must not throw (errors are logged and skipped). */
  readonly onEvent: (event: RecordedEvent) => void;
  /** The instance's start; events published since (minus a margin for clock skew) are delivered. */
  readonly startedAt: Date;
}

// The server stamps messages with its own clock; ours may run ahead. Duplicates are dropped by version.
const CLOCK_SKEW_MARGIN_MS = 5_000;
const RESTART_DELAY_MS = 1_000;

/**
 * Every call event published since this instance started, through an ordered (ephemeral, unacknowledged)
 * JetStream consumer of its own. Why not a durable: what an instance forwards is only for the sockets it
 * holds now, and a socket that was away gets its calls back from the state handshake, rebuilt from the
 * event store. A durable per instance would pile up on the server as instances come and go, and would
 * replay to a restarted instance what no socket of it is waiting for.
 *
 * The ordered consumer recreates itself after a gap or a NATS reconnect; should it fail for good, the feed
 * starts again after the last sequence it delivered.
 */
export class CallEventFeed {
  private stopping = false;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private lastSequence = 0;

  constructor(private readonly options: CallEventFeedOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { nats, streamName, subjectPrefix, logger } = this.options;
    const ready = await waitForEventsStream(nats, streamName, {
      stopped: () => this.stopping,
      onFirstMiss: (err) =>
        logger.warn(
          { stream: streamName, err },
          'the events stream is not there yet (the relay creates it); waiting',
        ),
    }).catch((error: unknown) => {
      logger.error({ err: error }, 'cannot look up the events stream');
      return false;
    });
    if (!ready) return;
    const js = jetstream(nats);
    const filter = streamCategoryFilter('call', { prefix: subjectPrefix });
    while (!this.stopping && !nats.isClosed()) {
      try {
        const consumer = await js.consumers.get(
          streamName,
          this.lastSequence === 0
            ? {
                filter_subjects: filter,
                opt_start_time: new Date(
                  this.options.startedAt.getTime() - CLOCK_SKEW_MARGIN_MS,
                ).toISOString(),
              }
            : { filter_subjects: filter, opt_start_seq: this.lastSequence + 1 },
        );
        this.messages = await consumer.consume({ max_messages: 256 });
        if (this.stopping) await this.messages.close();
        logger.info({ stream: streamName, filter }, 'forwarding call events to this instance’s sockets');
        for await (const msg of this.messages) {
          this.lastSequence = msg.seq;
          this.dispatch(msg.subject, msg.data);
        }
      } catch (error) {
        if (!this.stopping) logger.error({ err: error }, 'call event feed stopped; restarting');
      }
      if (!this.stopping) await sleep(RESTART_DELAY_MS, undefined, { ref: false });
    }
  }

  private dispatch(subject: string, data: Uint8Array): void {
    let event: RecordedEvent;
    try {
      event = decodeEventMessage(subject, data);
    } catch (error) {
      this.options.logger.warn({ err: error, subject }, 'skipped an undecodable event message');
      return;
    }
    try {
      this.options.onEvent(event);
    } catch (error) {
      this.options.logger.error({ err: error, eventId: event.eventId }, 'forwarding a call event failed');
    }
  }
}
