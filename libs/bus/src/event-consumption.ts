import { type Consumer, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { type LoggerService } from '@nestjs/common';
import { type RecordedEvent } from '@ringbus/event-store';
import { decodeEventMessage } from '@ringbus/event-wire';
import { type DeadLetterReason, type DeadLetterTarget, publishDeadLetter } from './dead-letter.js';
import { describeHandlerFailure, type HandlerFailure } from './handler-failure.js';
import { JetStreamEventContext } from './jetstream-event-context.js';
import { failedDeliveryOutcome, isPastDeliveryBudget, redeliveryDelayMs } from './redelivery-policy.js';

/** Runs the handler registered for the event's type; `unhandled` when there is none. */
export type EventDispatch = (
  event: RecordedEvent,
  context: JetStreamEventContext,
) => Promise<'handled' | 'unhandled'>;

export interface EventConsumptionSettings {
  readonly maxDeliver: number;
  readonly backoffMs: readonly number[];
  readonly ackWaitMs: number;
  readonly unhandled: 'ack' | 'dead-letter';
  readonly deadLetter: DeadLetterTarget;
}

const RESTART_DELAY_MS = 1_000;
// A pull that waits this long for messages before the client renews it (the client's own default).
const PULL_EXPIRES_MS = 30_000;

/**
 * Pulls from one durable consumer and settles each message from its handler's outcome, one message at
 * a time: ack after the handler's promise resolves, nak with a backoff delay when it fails, dead letter
 * (then term) when the delivery budget is spent or the message cannot be decoded.
 */
export class EventConsumption {
  private messages: ConsumerMessages | undefined;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeRestart: (() => void) | undefined;

  constructor(
    private readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly consumer: Consumer,
    private readonly settings: EventConsumptionSettings,
    private readonly dispatch: EventDispatch,
    private readonly logger: LoggerService,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops pulling, lets the in-flight message finish and settle, and hands buffered ones straight back. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeRestart?.();
    await this.messages?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        this.messages = await this.consumer.consume({ max_messages: 64, expires: PULL_EXPIRES_MS });
        void this.reportTrouble(this.messages);
        if (this.stopping) await this.messages.close();
        for await (const msg of this.messages) {
          if (this.stopping) {
            msg.nak();
            continue;
          }
          await this.settle(msg);
        }
      } catch (error) {
        this.logger.error(`event consumption stopped, restarting: ${errorText(error)}`);
      }
      if (this.connection.isClosed() && !this.stopping) {
        this.logger.error('event consumption stopped: the NATS connection was closed under it');
        return;
      }
      if (!this.stopping) await this.pause(RESTART_DELAY_MS);
    }
  }

  private async settle(msg: JsMsg): Promise<void> {
    const { deliveryCount } = msg.info;
    if (isPastDeliveryBudget(deliveryCount, this.settings.maxDeliver)) {
      await this.deadLetter(msg, 'delivery_budget_exhausted', {
        code: 'DELIVERY_BUDGET_EXHAUSTED',
        message: `delivered ${deliveryCount} times without an ack or a failure verdict (crash or ack timeout)`,
        retryable: false,
      });
      return;
    }
    let event: RecordedEvent;
    try {
      event = decodeEventMessage(msg.subject, msg.data);
    } catch (error) {
      await this.deadLetter(msg, 'malformed', describeHandlerFailure(error, 'MALFORMED_EVENT_MESSAGE'));
      return;
    }
    const context = new JetStreamEventContext([msg.subject, msg.headers, msg.info]);
    const keepAlive = this.keepInProgress(msg);
    let outcome: 'handled' | 'unhandled';
    try {
      outcome = await this.dispatch(event, context);
    } catch (error) {
      clearInterval(keepAlive);
      await this.handlerFailed(msg, event, describeHandlerFailure(error, 'EVENT_HANDLER_FAILED'));
      return;
    }
    clearInterval(keepAlive);
    if (outcome === 'unhandled' && this.settings.unhandled === 'dead-letter') {
      await this.deadLetter(msg, 'no_handler', {
        code: 'NO_EVENT_HANDLER',
        message: `no handler for event type ${event.type}`,
        retryable: false,
      });
      return;
    }
    await this.ack(msg, event);
  }

  private async handlerFailed(msg: JsMsg, event: RecordedEvent, failure: HandlerFailure): Promise<void> {
    const { deliveryCount, streamSequence } = msg.info;
    const outcome = failedDeliveryOutcome(deliveryCount, this.settings.maxDeliver, this.settings.backoffMs);
    if (outcome.action === 'dead-letter') {
      await this.deadLetter(msg, 'handler_failed', failure);
      return;
    }
    msg.nak(outcome.delayMs);
    this.logger.warn(
      `event ${event.eventId} (${event.type}, seq ${streamSequence}) failed on delivery ${deliveryCount}/${this.settings.maxDeliver} with ${failure.code}: retry in ${outcome.delayMs} ms`,
    );
  }

  private async ack(msg: JsMsg, event: RecordedEvent): Promise<void> {
    // A confirmed ack: moving on before the server recorded it would let a restart redeliver the message.
    let problem: string | undefined;
    try {
      if (!(await msg.ackAck())) problem = 'the server did not confirm it';
    } catch (error) {
      problem = errorText(error);
    }
    if (problem !== undefined) {
      this.logger.warn(
        `ack of event ${event.eventId} (seq ${msg.info.streamSequence}) unconfirmed (${problem}): it may be redelivered; idempotent handlers absorb that`,
      );
    }
  }

  private async deadLetter(msg: JsMsg, reason: DeadLetterReason, failure: HandlerFailure): Promise<void> {
    const { deliveryCount, streamSequence } = msg.info;
    try {
      await publishDeadLetter(this.js, this.settings.deadLetter, msg, reason, failure);
    } catch (error) {
      // Never drop a message we could not park: it comes back, past its budget, and we try again.
      const delayMs = redeliveryDelayMs(this.settings.backoffMs, Number.MAX_SAFE_INTEGER);
      msg.nak(delayMs);
      this.logger.error(
        `dead-lettering seq ${streamSequence} to ${this.settings.deadLetter.subject} failed (${errorText(error)}): retry in ${delayMs} ms`,
      );
      return;
    }
    msg.term();
    await this.connection.flush();
    this.logger.error(
      `seq ${streamSequence} on ${msg.subject} dead-lettered to ${this.settings.deadLetter.subject} after ${deliveryCount} deliveries: ${reason}, ${failure.code}: ${failure.message}`,
    );
  }

  /** The client recovers from these by itself; they are logged so that a stalled consumer is visible. */
  private async reportTrouble(messages: ConsumerMessages): Promise<void> {
    for await (const notification of messages.status()) {
      switch (notification.type) {
        case 'heartbeats_missed':
        case 'consumer_not_found':
        case 'consumer_deleted':
        case 'stream_not_found':
        case 'no_responders':
          this.logger.warn(`event consumption: ${notification.type}, the client keeps retrying`);
          break;
        default:
          break;
      }
    }
  }

  /** A handler slower than `ack_wait` keeps its message: tell the server it is still being worked on. */
  private keepInProgress(msg: JsMsg): ReturnType<typeof setInterval> {
    return setInterval(() => msg.working(), Math.max(Math.floor(this.settings.ackWaitMs / 3), 250));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeRestart = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
