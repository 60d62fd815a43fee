import { type Consumer, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
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
// How long one pull waits on the server for a message. A pull is never cut short (see `pullOne`), so this
// bounds how long a close waits on an idle consumer.
const PULL_EXPIRES_MS = 2_000;
// Heartbeats well inside the pull's life, so that the client never gives up on a healthy pull before the
// server ends it.
const PULL_HEARTBEAT_MS = 500;

/**
 * Pulls from one durable consumer and settles each message from its handler's outcome, one message at
 * a time: ack after the handler's promise resolves, nak with a backoff delay when it fails, dead letter
 * (then term) when the delivery budget is spent or the message cannot be decoded.
 */
export class EventConsumption {
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

  /**
   * Pulls no more, lets the in-flight message finish and settle, and hands back at once (nak) a message
   * the last pull brings in: when this resolves, this instance holds no message of the consumer.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeRestart?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const msg = await this.pullOne();
        if (msg === null) continue;
        if (this.stopping) {
          await this.handBack(msg);
          return;
        }
        await this.settle(msg);
      } catch (error) {
        if (this.connection.isClosed() && !this.stopping) {
          this.logger.error('event consumption stopped: the NATS connection was closed under it');
          return;
        }
        this.logger.error(
          `event consumption failed, retrying in ${RESTART_DELAY_MS} ms: ${errorText(error)}`,
        );
        if (!this.stopping) await this.pause(RESTART_DELAY_MS);
      }
    }
  }

  /**
   * One pull for one message (`max_ack_pending: 1` lets the server hand out no more), waited out until the
   * server ends it: with the message, or empty when it expires. Never cancelled, because a cancelled pull
   * can be filled while the cancel travels; the client, no longer listening, drops that message and the
   * server keeps it ack-pending until `ack_wait`, with every later event queued behind it.
   */
  private async pullOne(): Promise<JsMsg | null> {
    const pull = await this.consumer.fetch({
      max_messages: 1,
      expires: PULL_EXPIRES_MS,
      idle_heartbeat: PULL_HEARTBEAT_MS,
    });
    let received: JsMsg | null = null;
    try {
      for await (const msg of pull) received = msg;
    } catch (error) {
      // The pull failed after it delivered: settle what we hold rather than leave it to `ack_wait`.
      if (received === null) throw error;
    }
    return received;
  }

  /** A message pulled during a close goes straight back, without delay, to the next instance. */
  private async handBack(msg: JsMsg): Promise<void> {
    msg.nak();
    try {
      await this.connection.flush();
    } catch (error) {
      this.logger.warn(
        `nak of seq ${msg.info.streamSequence} on close unconfirmed (${errorText(error)}): it returns after ack_wait`,
      );
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
