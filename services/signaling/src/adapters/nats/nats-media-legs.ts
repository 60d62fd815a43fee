import { create } from '@bufbuild/protobuf';
import { type NatsConnection } from '@nats-io/transport-node';
import { CommandBus, NoCommandHandlerError } from '@ringbus/bus';
import {
  MediaCallRequestSchema,
  mediaCallReplyFromJson,
  mediaCallRequestToJson,
  mediaCallSubject,
} from '@ringbus/proto';
import { type MediaLegOutcome, type MediaLegRequest, type MediaLegs } from '../../app/ports.js';

/**
 * Media requests over NATS request/reply, on the call's own subject: only the media-orchestration
 * instance carrying the call listens there (docs/media-orchestration.md), so "no responders" means no
 * instance carries it.
 */
export class NatsMediaLegs implements MediaLegs {
  private readonly bus: CommandBus;

  constructor(
    connection: NatsConnection,
    private readonly timeoutMs: number,
    private readonly newId: () => string,
  ) {
    this.bus = new CommandBus(connection, { defaultTimeoutMs: timeoutMs });
  }

  async request(callId: string, request: MediaLegRequest, traceparent: string): Promise<MediaLegOutcome> {
    const message = create(MediaCallRequestSchema, { requestId: this.newId(), callId, request });
    let result: unknown;
    try {
      result = await this.bus.request<unknown>(mediaCallSubject(callId), mediaCallRequestToJson(message), {
        timeoutMs: this.timeoutMs,
        headers: traceparent === '' ? {} : { traceparent },
      });
    } catch (error) {
      if (error instanceof NoCommandHandlerError) return { kind: 'no-carrier' };
      throw error;
    }
    const outcome = mediaCallReplyFromJson(result).outcome;
    switch (outcome.case) {
      case 'done':
        return { kind: 'done' };
      case 'refused':
        return { kind: 'refused', code: outcome.value.code, reason: outcome.value.reason };
      case undefined:
        return { kind: 'refused', code: 500, reason: 'Server Internal Error (an empty media reply)' };
    }
  }
}
