import { execFileSync } from 'node:child_process';
import { type KeyObject, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyJwt } from './provider-credentials.js';

export type ApnsScriptedAnswer =
  | 'success'
  | 'unregistered'
  | 'bad_device_token'
  | { readonly status: 429 | 500 | 503; readonly retryAfter?: string };

export interface ApnsReceivedPush {
  readonly token: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Record<string, unknown>;
}

/** A self-signed certificate for 127.0.0.1, made with Debian's openssl for this run. */
export function selfSignedLoopbackCertificate(): { key: string; cert: string } {
  const folder = mkdtempSync(join(tmpdir(), 'push-apns-double-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(folder, 'key.pem'),
        '-out',
        join(folder, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(folder, 'key.pem'), 'utf8'),
      cert: readFileSync(join(folder, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const PUSH_TYPES = new Set([
  'alert',
  'background',
  'voip',
  'complication',
  'fileprovider',
  'mdm',
  'location',
  'liveactivity',
  'pushtotalk',
]);

/**
 * Contract double of the APNs provider API (HTTP/2 over TLS), checking what Apple documents:
 * `POST /3/device/<hex token>`; `authorization: bearer <JWT>` signed ES256 by the configured key with
 * `kid` = key id, `iss` = team id and an `iat` less than an hour old (403 `MissingProviderToken`,
 * `InvalidProviderToken`, `ExpiredProviderToken`); `apns-topic` present (400 `MissingTopic`) and, for
 * `apns-push-type: voip`, ending in `.voip` (400 `DeviceTokenNotForTopic`); a known push type (400
 * `InvalidPushType`); `apns-priority` 5 or 10 (400 `BadPriority`); `apns-expiration` a number (400
 * `BadExpirationDate`); a JSON body within 5120 bytes for VoIP, 4096 otherwise (413 `PayloadTooLarge`,
 * 400 `PayloadEmpty`); a hex token (400 `BadDeviceToken`). Then the scripted answer: 200 with
 * `apns-id`, 410 `Unregistered` with `timestamp`, 400 `BadDeviceToken`, or 429/5xx.
 */
export class ApnsContractDouble {
  readonly received: ApnsReceivedPush[] = [];
  readonly refusals: string[] = [];
  readonly certificate = selfSignedLoopbackCertificate();
  private readonly scripts = new Map<string, ApnsScriptedAnswer[]>();
  private server: http2.Http2SecureServer | undefined;
  private port = 0;

  constructor(
    private readonly key: KeyObject,
    private readonly keyId: string,
    private readonly teamId: string,
  ) {}

  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  script(token: string, answers: readonly ApnsScriptedAnswer[]): void {
    this.scripts.set(token, [...answers]);
  }

  pushesTo(token: string): ApnsReceivedPush[] {
    return this.received.filter((push) => push.token === token);
  }

  async start(): Promise<void> {
    const server = http2.createSecureServer({ ...this.certificate, allowHTTP1: false });
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => this.answer(stream, headers, Buffer.concat(chunks)));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server === undefined ? resolve() : this.server.close(() => resolve()),
    );
  }

  private answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer): void {
    const reply = (status: number, reason?: string, extra: Record<string, string> = {}) => {
      const apnsId = randomUUID().toUpperCase();
      if (reason !== undefined) this.refusals.push(reason);
      stream.respond({
        ':status': status,
        'apns-id': apnsId,
        ...extra,
        ...(reason === undefined ? {} : { 'content-type': 'application/json' }),
      });
      stream.end(
        reason === undefined
          ? undefined
          : JSON.stringify(status === 410 ? { reason, timestamp: Date.now() } : { reason }),
      );
    };
    const path = /^\/3\/device\/([^/]+)$/.exec(String(headers[':path']));
    if (headers[':method'] !== 'POST') return reply(405, 'MethodNotAllowed');
    if (path === null) return reply(404, 'BadPath');
    const auth = /^bearer (.+)$/.exec(String(headers['authorization'] ?? ''));
    if (auth === null) return reply(403, 'MissingProviderToken');
    try {
      const { header, claims } = verifyJwt(auth[1] as string, this.key, 'ES256');
      if (header['kid'] !== this.keyId || claims['iss'] !== this.teamId)
        return reply(403, 'InvalidProviderToken');
      const iat = Number(claims['iat']);
      if (!Number.isFinite(iat) || Date.now() / 1000 - iat > 3600) return reply(403, 'ExpiredProviderToken');
    } catch {
      return reply(403, 'InvalidProviderToken');
    }
    const topic = headers['apns-topic'];
    const pushType = String(headers['apns-push-type'] ?? 'alert');
    if (typeof topic !== 'string' || topic === '') return reply(400, 'MissingTopic');
    if (!PUSH_TYPES.has(pushType)) return reply(400, 'InvalidPushType');
    if (pushType === 'voip' && !topic.endsWith('.voip')) return reply(400, 'DeviceTokenNotForTopic');
    const priority = headers['apns-priority'];
    if (priority !== undefined && priority !== '5' && priority !== '10') return reply(400, 'BadPriority');
    const expiration = headers['apns-expiration'];
    if (expiration !== undefined && !/^\d+$/.test(String(expiration))) return reply(400, 'BadExpirationDate');
    if (body.length === 0) return reply(400, 'PayloadEmpty');
    if (body.length > (pushType === 'voip' ? 5120 : 4096)) return reply(413, 'PayloadTooLarge');
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply(400, 'BadPayload');
    }
    const token = decodeURIComponent(path[1] as string);
    if (!/^[0-9a-fA-F]{64,200}$/.test(token)) return reply(400, 'BadDeviceToken');
    const scripted = this.scripts.get(token)?.shift() ?? 'success';
    if (scripted === 'unregistered') return reply(410, 'Unregistered');
    if (scripted === 'bad_device_token') return reply(400, 'BadDeviceToken');
    if (scripted !== 'success') {
      const reason =
        scripted.status === 429
          ? 'TooManyRequests'
          : scripted.status === 503
            ? 'ServiceUnavailable'
            : 'InternalServerError';
      return reply(
        scripted.status,
        reason,
        scripted.retryAfter === undefined ? {} : { 'retry-after': scripted.retryAfter },
      );
    }
    const recorded: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (name.startsWith('apns-') || name === 'content-type') recorded[name] = String(value);
    }
    this.received.push({ token, headers: recorded, payload });
    reply(200);
  }
}
