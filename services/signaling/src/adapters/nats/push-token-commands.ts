import { type NatsConnection } from '@nats-io/transport-node';
import { CommandBus } from '@ringbus/bus';
import { type PushTokenKind, type PushTokenRegistry } from '../../app/ports.js';

const COMMAND_TIMEOUT_MS = 3_000;

/**
 * push's token commands over NATS request/reply (services/push, docs/push.md): push owns the tokens.
 * Errors are the bus's (`CommandRejectedError` with push's `INVALID_PUSH_TOKEN_COMMAND`, or the retryable
 * `NoCommandHandlerError` / `CommandTimeoutError` while push is away).
 */
export class NatsPushTokenRegistry implements PushTokenRegistry {
  private readonly bus: CommandBus;

  constructor(
    nats: NatsConnection,
    private readonly subjectPrefix: string,
  ) {
    this.bus = new CommandBus(nats, { defaultTimeoutMs: COMMAND_TIMEOUT_MS });
  }

  async register(token: {
    readonly tenant: string;
    readonly userId: string;
    readonly kind: PushTokenKind;
    readonly token: string;
    readonly appId?: string;
  }): Promise<{ readonly created: boolean }> {
    const payload = {
      tenant: token.tenant,
      userId: token.userId,
      kind: token.kind,
      token: token.token,
      ...(token.appId === undefined ? {} : { appId: token.appId }),
    };
    const reply = await this.bus.request<{ registered: true; created: boolean }>(
      `${this.subjectPrefix}.tokens.register`,
      payload,
    );
    return { created: reply.created };
  }
}
