import { type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { type LoggerService } from '@nestjs/common';
import { CommandContext } from './command-context.js';
import { type CommandReply, decodeCommandPayload, encodeCommandReply } from './command-envelope.js';
import { describeHandlerFailure } from './handler-failure.js';

/** Runs the command handler bound to `subject` and returns its result. */
export type CommandDispatch = (
  subject: string,
  payload: unknown,
  context: CommandContext,
) => Promise<unknown>;

/**
 * One core NATS subscription per command subject, in a queue group so that every instance of a service
 * shares its commands. Each reply is a `CommandReply` envelope.
 */
export class CommandSubscriptions {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly connection: NatsConnection,
    private readonly queue: string,
    private readonly dispatch: CommandDispatch,
    private readonly logger: LoggerService,
  ) {}

  subscribe(subjects: readonly string[]): void {
    for (const subject of subjects) {
      const subscription = this.connection.subscribe(subject, {
        queue: this.queue,
        callback: (error, msg) => {
          if (error !== null) {
            this.logger.error(`command subscription ${subject} failed: ${error.message}`);
            return;
          }
          const handling = this.answer(subject, msg).finally(() => this.inFlight.delete(handling));
          this.inFlight.add(handling);
        },
      });
      this.subscriptions.push(subscription);
    }
  }

  /** Stops taking commands, answers those already received, then returns. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.subscriptions.map((subscription) => subscription.drain()));
    await Promise.allSettled([...this.inFlight]);
  }

  private async answer(pattern: string, msg: Msg): Promise<void> {
    const reply = await this.replyTo(pattern, msg);
    if (msg.reply === undefined || msg.reply === '') return;
    try {
      msg.respond(encodeReplySafely(msg.subject, reply));
    } catch (error) {
      this.logger.error(
        `reply to command ${msg.subject} not sent: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async replyTo(pattern: string, msg: Msg): Promise<CommandReply> {
    let payload: unknown;
    try {
      payload = decodeCommandPayload(msg.data);
    } catch {
      return {
        ok: false,
        error: { code: 'MALFORMED_COMMAND', message: `command ${msg.subject} is not JSON`, retryable: false },
      };
    }
    try {
      const result = await this.dispatch(pattern, payload, new CommandContext([msg.subject, msg.headers]));
      return { ok: true, result };
    } catch (error) {
      const failure = describeHandlerFailure(error, 'COMMAND_FAILED');
      this.logger.warn(`command ${msg.subject} rejected with ${failure.code}: ${failure.message}`);
      return { ok: false, error: failure };
    }
  }
}

function encodeReplySafely(subject: string, reply: CommandReply): Uint8Array {
  try {
    return encodeCommandReply(reply);
  } catch (error) {
    // A result JSON cannot carry (a BigInt, a cycle) must still get an answer, or the caller times out.
    return encodeCommandReply({
      ok: false,
      error: {
        code: 'UNSERIALIZABLE_COMMAND_RESULT',
        message: `the result of command ${subject} cannot be sent as JSON: ${error instanceof Error ? error.message : String(error)}`,
        retryable: false,
      },
    });
  }
}
