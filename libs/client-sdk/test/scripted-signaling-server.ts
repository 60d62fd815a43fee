import type { AddressInfo } from 'node:net';
import {
  encodeServerMessage,
  parseClientMessage,
  parseSignalingTarget,
  ProtocolError,
  SIGNALING_SUBPROTOCOL,
  type ClientMessage,
  type ClientRequest,
  type LineSlot,
  type ServerEvent,
  type ServerMessage,
  type SignalingTarget,
} from '@ringbus/softphone-protocol';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the scripted server does with one request. */
export type Reply =
  | { readonly kind: 'ack'; readonly then?: readonly ServerEvent[] }
  | { readonly kind: 'error'; readonly code: number; readonly reason: string }
  | { readonly kind: 'silent' };

export interface ScriptedServerOptions {
  readonly keepaliveIntervalMs?: number;
  readonly lines?: readonly LineSlot[];
  /** HTTP status to refuse every upgrade with (e.g. 401 for a bad token). */
  readonly refuseWith?: number;
  /** Send no state handshake. */
  readonly withholdState?: boolean;
}

/** The server's side of one client socket. */
export class ScriptedConnection {
  readonly received: ClientMessage[] = [];
  echoKeepalives = true;
  reply: (request: ClientRequest) => Reply = () => ({ kind: 'ack' });

  constructor(
    readonly target: SignalingTarget | undefined,
    readonly protocol: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data) => this.receive(String(data)));
  }

  get keepalives(): number {
    return this.received.filter((message) => 'handshake' in message).length;
  }

  requests(): ClientRequest[] {
    return this.received.filter((message): message is ClientRequest => 'request' in message);
  }

  send(message: ServerMessage): void {
    this.socket.send(encodeServerMessage(message));
  }

  sendText(text: string): void {
    this.socket.send(text);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  private receive(text: string): void {
    let message: ClientMessage;
    try {
      message = parseClientMessage(text);
    } catch (error) {
      // A real server's treatment of a refused message: answer when it can, close when it cannot.
      if (!(error instanceof ProtocolError)) throw error;
      if (error.response !== undefined) this.send(error.response);
      else this.socket.close(error.closeCode, error.closeReason);
      return;
    }
    this.received.push(message);
    if ('handshake' in message) {
      if (this.echoKeepalives) this.send(message);
      return;
    }
    const reply = this.reply(message);
    const target = {
      transaction: message.transaction,
      ...('line' in message ? { line: message.line } : {}),
      ...('call_id' in message && message.call_id !== undefined ? { call_id: message.call_id } : {}),
    };
    if (reply.kind === 'ack') {
      this.send({ response: 'ack', ...target });
      for (const event of reply.then ?? []) this.send(event);
    } else if (reply.kind === 'error') {
      this.send({ response: 'error', ...target, code: reply.code, reason: reply.reason });
    }
  }
}

/** A WTSP server on a loopback port that follows a script: the far end of the SDK's integration tests. */
export class ScriptedSignalingServer {
  readonly connections: ScriptedConnection[] = [];
  private readonly waiting: ((connection: ScriptedConnection) => void)[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(options: ScriptedServerOptions = {}): Promise<ScriptedSignalingServer> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      handleProtocols: (protocols) => (protocols.has(SIGNALING_SUBPROTOCOL) ? SIGNALING_SUBPROTOCOL : false),
      verifyClient: (_info, accept) =>
        options.refuseWith === undefined ? accept(true) : accept(false, options.refuseWith),
    });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const { port } = wss.address() as AddressInfo;
    const server = new ScriptedSignalingServer(wss, `ws://127.0.0.1:${port}`);
    wss.on('connection', (socket, request) => {
      const connection = new ScriptedConnection(
        parseSignalingTarget(request.url ?? ''),
        socket.protocol,
        socket,
      );
      server.connections.push(connection);
      if (!options.withholdState) {
        connection.send({
          handshake: 'state',
          keepalive_interval: options.keepaliveIntervalMs ?? 30_000,
          timestamp: Date.now(),
          registration: { status: 'registered' },
          lines: options.lines ?? [null, null],
        });
      }
      for (const resolve of server.waiting.splice(0)) resolve(connection);
    });
    return server;
  }

  /** The latest connection, or the next one to arrive. */
  connection(): Promise<ScriptedConnection> {
    const latest = this.connections.at(-1);
    if (latest !== undefined) return Promise.resolve(latest);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
