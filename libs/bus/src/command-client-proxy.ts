import { type NatsConnection } from '@nats-io/nats-core';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { CommandBus } from './command-bus.js';

/**
 * Nest's `ClientProxy` over the `CommandBus`, for code written against `client.send(pattern, data)`.
 * `send` yields the handler's result or errors with the same typed errors as `CommandBus.request`;
 * packet metadata set by a dispatch hook travels as NATS headers. `emit` is refused: events enter
 * Ringbus through the event store, and the relay alone publishes them.
 */
export class CommandClientProxy extends ClientProxy {
  private readonly commandBus: CommandBus;

  constructor(
    private readonly connection: NatsConnection,
    private readonly options: { readonly timeoutMs?: number } = {},
  ) {
    super();
    this.commandBus = new CommandBus(connection, { defaultTimeoutMs: options.timeoutMs });
  }

  connect(): Promise<NatsConnection> {
    return Promise.resolve(this.connection);
  }

  /** The connection belongs to whoever made it. */
  close(): void {}

  unwrap<T>(): T {
    return this.connection as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let cancelled = false;
    this.commandBus
      .request<unknown>(this.normalizePattern(packet.pattern), packet.data, { headers: packet.metadata })
      .then(
        (response) => {
          if (!cancelled) callback({ response, isDisposed: true });
        },
        (err: unknown) => {
          if (!cancelled) callback({ err, isDisposed: true });
        },
      );
    return () => {
      cancelled = true;
    };
  }

  protected dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    return Promise.reject(
      new Error(
        `events are not emitted over the command bus (pattern ${this.normalizePattern(packet.pattern)}): append them to the event store`,
      ),
    );
  }
}
