import { type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { decodeCommandPayload, encodeCommandReply, type CommandReply } from '@ringbus/bus';
import { mediaCallReplyToJson, mediaCallRequestFromJson, mediaCallSubject } from '@ringbus/proto';
import { type ServiceLogger } from '@ringbus/service-kit';
import { type LegRequest, type LegRequestOutcome } from '../../domain/leg-request.js';
import { type MediaCallInbox, type MediaCallMailbox } from '../../app/ports.js';
import { legRequestFrom, mediaCallReplyFor } from './leg-request-wire.js';

/**
 * One core NATS subscription per call this instance carries, on the call's own subject and in no queue
 * group: a request reaches the instance that holds the call's Janus handle, or nobody (signaling then
 * gets "no responders" at once, not a timeout). Replies use the bus's command reply envelope.
 */
export class NatsMediaCallInbox implements MediaCallInbox {
  constructor(
    private readonly connection: NatsConnection,
    private readonly logger: ServiceLogger,
  ) {}

  async open(
    callId: string,
    perform: (request: LegRequest) => Promise<LegRequestOutcome>,
  ): Promise<MediaCallMailbox> {
    const subject = mediaCallSubject(callId);
    const subscription: Subscription = this.connection.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) {
          this.logger.error({ callId, err: error }, 'the media request subscription of a call failed');
          return;
        }
        void this.answer(callId, msg, perform);
      },
    });
    // The server has the interest once flush returns: a request sent after open() resolves finds us.
    await this.connection.flush();
    return {
      close: () => {
        if (!subscription.isClosed()) subscription.unsubscribe();
      },
    };
  }

  private async answer(
    callId: string,
    msg: Msg,
    perform: (request: LegRequest) => Promise<LegRequestOutcome>,
  ): Promise<void> {
    const reply = await this.replyTo(callId, msg, perform);
    if (msg.reply === undefined || msg.reply === '') return;
    try {
      msg.respond(encodeCommandReply(reply));
    } catch (error) {
      this.logger.warn({ callId, err: error }, 'the reply to a media request was not sent');
    }
  }

  private async replyTo(
    callId: string,
    msg: Msg,
    perform: (request: LegRequest) => Promise<LegRequestOutcome>,
  ): Promise<CommandReply> {
    let request: LegRequest | LegRequestOutcome;
    try {
      const decoded = mediaCallRequestFromJson(decodeCommandPayload(msg.data));
      if (decoded.callId !== callId) {
        return malformed(`the request names call ${decoded.callId} on the subject of call ${callId}`);
      }
      request = legRequestFrom(decoded);
    } catch (error) {
      return malformed(error instanceof Error ? error.message : String(error));
    }
    if (request.kind === 'done' || request.kind === 'refused') {
      return { ok: true, result: mediaCallReplyToJson(mediaCallReplyFor(request)) };
    }
    try {
      const outcome = await perform(request);
      this.logger.debug({ callId, request: request.kind, outcome: outcome.kind }, 'media request answered');
      return { ok: true, result: mediaCallReplyToJson(mediaCallReplyFor(outcome)) };
    } catch (error) {
      this.logger.error({ callId, request: request.kind, err: error }, 'a media request failed');
      return {
        ok: false,
        error: {
          code: 'MEDIA_REQUEST_FAILED',
          message: `media-orchestration could not carry out ${request.kind}: ${error instanceof Error ? error.message : String(error)}`,
          retryable: false,
        },
      };
    }
  }
}

function malformed(message: string): CommandReply {
  return { ok: false, error: { code: 'MALFORMED_MEDIA_REQUEST', message, retryable: false } };
}
