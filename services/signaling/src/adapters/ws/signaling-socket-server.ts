import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  parseSignalingTarget,
  SIGNALING_SUBPROTOCOL,
  type SignalingTarget,
} from '@ringbus/softphone-protocol';
import { type ServiceLogger } from '@ringbus/service-kit';
import WebSocket, { type RawData, WebSocketServer } from 'ws';
import { type SocketConnection } from '../../app/ports.js';

/** What the socket server needs from a session: frames in, the end of the socket, and the opening. */
export interface SocketSession {
  receive(text: string, isBinary: boolean): void;
  closed(): void;
  start(): Promise<void>;
  /** Logs an unexpected error and closes the socket. */
  failed(error: unknown, what: string): void;
}

export interface SignalingSocketServerOptions {
  /** Larger frames close the socket with 1009 (ws enforces it before buffering the frame). */
  readonly maxFrameBytes: number;
  readonly logger: ServiceLogger;
  readonly openSession: (connection: SocketConnection, target: SignalingTarget) => SocketSession;
}

const GOING_AWAY = 1001;
const CLOSE_WAIT_MS = 2_000;

/**
 * The WTSP WebSocket endpoint on the service's HTTP server (Fastify's Node server): `ws` in `noServer`
 * mode takes the upgrades for `/signaling/v1` and `/tenant/<tenant>/signaling/v1` and leaves every other
 * request to Fastify. A request without the `webtrit-protocol` subprotocol is refused with 400.
 */
export class SignalingSocketServer {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private closing = false;

  constructor(private readonly options: SignalingSocketServerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(SIGNALING_SUBPROTOCOL) ? SIGNALING_SUBPROTOCOL : false),
    });
  }

  attach(server: Server): void {
    server.on('upgrade', this.onUpgrade);
  }

  /** How many sockets are open (for tests: nothing may leak). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Refuses new sockets, closes the open ones with 1001 (clients reconnect elsewhere) and waits for them. */
  async close(): Promise<void> {
    // The upgrade listener stays: until the HTTP server closes, late upgrades get 503, not a dropped socket.
    this.closing = true;
    for (const socket of this.sockets) socket.close(GOING_AWAY, 'server shutting down');
    for (let waited = 0; this.sockets.size > 0 && waited < CLOSE_WAIT_MS; waited += 50) await sleep(50);
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (error) => this.options.logger.debug({ err: error }, 'upgrade socket error'));
    const target = parseSignalingTarget(request.url ?? '');
    if (target === undefined) {
      refuse(socket, 404, 'Not Found', 'no signaling endpoint here');
      return;
    }
    if (this.closing) {
      refuse(socket, 503, 'Service Unavailable', 'the server is shutting down');
      return;
    }
    const offered = (request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((protocol) => protocol.trim());
    if (!offered.includes(SIGNALING_SUBPROTOCOL)) {
      this.options.logger.info('refused a signaling socket without the webtrit-protocol subprotocol');
      refuse(socket, 400, 'Bad Request', `the ${SIGNALING_SUBPROTOCOL} subprotocol is required`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, target));
  };

  private accept(ws: WebSocket, target: SignalingTarget): void {
    this.sockets.add(ws);
    const connection: SocketConnection = {
      send: (text) => ws.send(text),
      close: (code, reason) => ws.close(code, reason),
      get isOpen() {
        return ws.readyState === WebSocket.OPEN;
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
    };
    const session = this.options.openSession(connection, target);
    ws.on('message', (data, isBinary) => {
      try {
        session.receive(isBinary ? '' : textOf(data), isBinary);
      } catch (error) {
        // Nothing a client sends may take the process down.
        session.failed(error, 'a client frame could not be handled');
      }
    });
    // ws closes the socket itself on an oversized frame (1009) or invalid UTF-8 (1007), then says why here.
    ws.on('error', (error) => this.options.logger.info({ err: error }, 'signaling socket error'));
    ws.on('close', () => {
      this.sockets.delete(ws);
      session.closed();
    });
    if (this.closing) ws.close(GOING_AWAY, 'server shutting down');
    void session.start();
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function refuse(socket: Duplex, status: number, statusText: string, body: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${statusText}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
