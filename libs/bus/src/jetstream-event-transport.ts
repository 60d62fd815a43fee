import { EventEmitter } from 'node:events';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Logger, type LoggerService } from '@nestjs/common';
import {
  type BaseRpcContext,
  type CustomTransportStrategy,
  type MessageHandler,
  Server,
} from '@nestjs/microservices';
import { type RecordedEvent } from '@ringbus/event-store';
import { isObservable, lastValueFrom } from 'rxjs';
import { CommandSubscriptions } from './command-subscriptions.js';
import { ensureDeadLetterStream } from './dead-letter.js';
import { ensureDurableConsumer } from './durable-consumer.js';
import { BusConnectionError } from './errors.js';
import { EventConsumption } from './event-consumption.js';
import { type JetStreamEventContext } from './jetstream-event-context.js';
import { JETSTREAM_EVENT_TRANSPORT } from './transport-id.js';
import {
  type JetStreamEventTransportOptions,
  type ResolvedTransportOptions,
  resolveTransportOptions,
} from './transport-options.js';

export type JetStreamTransportStatus = 'connected' | 'disconnected' | 'reconnecting' | 'closed';

export type JetStreamTransportEvents = {
  disconnect: (server: string) => void;
  reconnect: (server: string) => void;
  error: (error: Error) => void;
};

/**
 * A NestJS transport for Ringbus services.
 *
 * `@EventPattern('<EventType>')` handlers receive stored events from one durable pull consumer on the
 * events stream, one at a time in stream order; a message is acked only after its handler's promise or
 * observable completes, retried with backoff when the handler fails, and dead-lettered after `maxDeliver`
 * deliveries. `@MessagePattern('<subject>')` handlers answer commands over core NATS request/reply.
 */
export class JetStreamEventTransport
  extends Server<JetStreamTransportEvents, JetStreamTransportStatus>
  implements CustomTransportStrategy
{
  override readonly transportId = JETSTREAM_EVENT_TRANSPORT;
  // We report every handler failure ourselves (with event id, delivery count and code).
  override readonly propagatesEventHandlerErrors = true;
  declare protected readonly logger: LoggerService;

  private readonly options: ResolvedTransportOptions;
  private readonly statusEvents = new EventEmitter();
  private connection: NatsConnection | undefined;
  private consumption: EventConsumption | undefined;
  private commands: CommandSubscriptions | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: JetStreamEventTransportOptions) {
    super();
    this.options = resolveTransportOptions(options);
    this.logger = this.options.logger ?? new Logger(JetStreamEventTransport.name);
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      await this.close().catch(() => undefined);
      callback(error);
    }
  }

  /** Stops pulling, finishes and settles the in-flight event, answers received commands, then drains. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  on<
    EventKey extends keyof JetStreamTransportEvents,
    EventCallback extends JetStreamTransportEvents[EventKey],
  >(event: EventKey, callback: EventCallback): void {
    this.statusEvents.on(event as string, callback as unknown as (...args: unknown[]) => void);
  }

  /** The NATS connection, for whoever needs to publish or request on it (e.g. a `CommandBus`). */
  unwrap<T>(): T {
    if (this.connection === undefined) {
      throw new Error('JetStreamEventTransport is not listening: call listen() (app.listen()) first');
    }
    return this.connection as T;
  }

  private async start(): Promise<void> {
    const connection = await this.connect();
    this.connection = connection;
    this._status$.next('connected');
    void this.followConnectionStatus(connection);

    const eventTypes = this.handlerPatterns(true);
    const commandSubjects = this.handlerPatterns(false);
    if (eventTypes.length > 0) await this.startEventConsumption(connection);
    if (commandSubjects.length > 0) {
      this.commands = new CommandSubscriptions(
        connection,
        this.options.commandQueue,
        (subject, payload, context) => this.dispatchCommand(subject, payload, context),
        this.logger,
      );
      this.commands.subscribe(commandSubjects);
    }
    this.logger.log(
      `listening: durable ${this.options.durableName} on ${this.options.streamName} (${this.options.filterSubject}) for ${eventTypes.length} event type(s); ${commandSubjects.length} command subject(s)`,
    );
  }

  private async connect(): Promise<NatsConnection> {
    if (this.options.connection !== undefined) return this.options.connection;
    try {
      return await connect({ servers: [...this.options.servers], name: this.options.connectionName });
    } catch (error) {
      throw new BusConnectionError(this.options.servers, { cause: error });
    }
  }

  private async startEventConsumption(connection: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(connection);
    const deadLetter = {
      stream: this.options.deadLetterStream,
      subjectPrefix: this.options.deadLetterSubjectPrefix,
      subject: this.options.deadLetterSubject,
    };
    await ensureDeadLetterStream(jsm, deadLetter);
    await ensureDurableConsumer(jsm, {
      stream: this.options.streamName,
      durableName: this.options.durableName,
      filterSubject: this.options.filterSubject,
      ackWaitMs: this.options.ackWaitMs,
    });
    const js = jetstream(connection);
    const consumer = await js.consumers.get(this.options.streamName, this.options.durableName);
    this.consumption = new EventConsumption(
      connection,
      js,
      consumer,
      {
        maxDeliver: this.options.maxDeliver,
        backoffMs: this.options.backoffMs,
        ackWaitMs: this.options.ackWaitMs,
        unhandled: this.options.unhandled,
        deadLetter,
      },
      (event, context) => this.dispatchEvent(event, context),
      this.logger,
    );
    this.consumption.start();
  }

  private async shutDown(): Promise<void> {
    await this.consumption?.stop();
    await this.commands?.drain();
    const connection = this.connection;
    this.connection = undefined;
    if (connection !== undefined && this.options.connection === undefined && !connection.isClosed()) {
      await connection.drain();
    }
    this._status$.next('closed');
    this.statusEvents.removeAllListeners();
  }

  private handlerPatterns(eventHandlers: boolean): string[] {
    return [...this.messageHandlers.entries()]
      .filter(([, handler]) => Boolean(handler.isEventHandler) === eventHandlers)
      .map(([pattern]) => pattern);
  }

  private async dispatchEvent(
    event: RecordedEvent,
    context: JetStreamEventContext,
  ): Promise<'handled' | 'unhandled'> {
    const handler = this.messageHandlers.get(this.normalizePattern(event.type));
    if (handler === undefined || !handler.isEventHandler) return 'unhandled';
    await this.invoke(handler, event, context);
    return 'handled';
  }

  private dispatchCommand(subject: string, payload: unknown, context: BaseRpcContext): Promise<unknown> {
    const handler = this.messageHandlers.get(subject);
    if (handler === undefined) return Promise.reject(new Error(`no handler bound to ${subject}`));
    return this.invoke(handler, payload, context);
  }

  /**
   * Runs a Nest handler between the processing hooks (Nest's instrumentation points) and resolves with
   * its settled result: the last value of an observable, or the promise's value.
   */
  private invoke(handler: MessageHandler, data: unknown, context: BaseRpcContext): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.runWithProcessingHooks(context, async (runEndHook) => {
        try {
          const result: unknown = await handler(data, context);
          resolve(isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result);
        } catch (error) {
          reject(error);
        } finally {
          runEndHook();
        }
      });
    });
  }

  private async followConnectionStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      switch (status.type) {
        case 'disconnect':
          this._status$.next('disconnected');
          this.statusEvents.emit('disconnect', status.server);
          this.logger.warn(`NATS disconnected from ${status.server}`);
          break;
        case 'reconnecting':
          this._status$.next('reconnecting');
          break;
        case 'reconnect':
          this._status$.next('connected');
          this.statusEvents.emit('reconnect', status.server);
          this.logger.log(`NATS reconnected to ${status.server}`);
          break;
        case 'error':
          if (this.statusEvents.listenerCount('error') > 0) this.statusEvents.emit('error', status.error);
          this.logger.error(`NATS error: ${status.error.message}`);
          break;
        default:
          break;
      }
    }
  }
}
