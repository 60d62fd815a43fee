import { type Msg, type NatsConnection, RequestError, TimeoutError } from '@nats-io/nats-core';
import { type ServiceLogger } from '@ringbus/service-kit';
import {
  type DisplacedBy,
  type SessionAttachment,
  type SessionAttachments,
  type SessionEndNotices,
} from '../../app/ports.js';

/** What instances tell each other on `<prefix>.session.<sessionId>` (core NATS, JSON). */
type AttachmentNotice =
  /** Request: does anyone hold this session? Holders answer with `holder`. */
  | { readonly kind: 'probe'; readonly socketId: string }
  | { readonly kind: 'holder'; readonly socketId: string; readonly instanceId: string }
  /** A socket attached; with `force`, every other socket of the session must go (4441). */
  | {
      readonly kind: 'attached';
      readonly socketId: string;
      readonly force: boolean;
      readonly instanceId: string;
    }
  /** Two sockets attached at once without force: the newer one (this socketId) must go (4431). */
  | { readonly kind: 'refused'; readonly socketId: string }
  /** The session ended (signed out): every socket of it must go (4201). */
  | { readonly kind: 'ended'; readonly socketId: '' };

const encoder = new TextEncoder();

function encode(notice: AttachmentNotice): Uint8Array {
  return encoder.encode(JSON.stringify(notice));
}

function decode(msg: Msg): AttachmentNotice | undefined {
  try {
    const value: unknown = JSON.parse(msg.string());
    if (typeof value !== 'object' || value === null) return undefined;
    const notice = value as Partial<AttachmentNotice>;
    return typeof notice.kind === 'string' && typeof notice.socketId === 'string'
      ? (notice as AttachmentNotice)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface NatsSessionAttachmentsOptions {
  readonly nats: NatsConnection;
  /** e.g. `ringbus.signaling`: notices go to `<prefix>.session.<sessionId>`. */
  readonly subjectPrefix: string;
  readonly instanceId: string;
  readonly logger: ServiceLogger;
  /** How long a probe waits for a holder that exists but does not answer (default 1 s). */
  readonly probeTimeoutMs?: number;
}

/**
 * One socket per session across every signaling instance, over core NATS. Each instance holding a socket
 * subscribes to the session's subject; the subscription dies with the instance's connection, so a crashed
 * instance holds nothing (no stale rows to expire).
 *
 * - Without force, a new socket first asks the subject whether anyone holds the session: NATS answers
 *   "no responders" at once when nobody does; a holder answers, and the new socket is refused (4431).
 * - With force, the new socket subscribes and announces itself; every other holder closes (4441).
 * - Two sockets attaching at the very same moment without force may both find nobody. Each announces
 *   itself after subscribing, so at least one hears the other; the older socket (socket ids are UUIDv7,
 *   ordered by time) stays and the newer is refused.
 */
export class NatsSessionAttachments implements SessionAttachments, SessionEndNotices {
  private readonly probeTimeoutMs: number;

  constructor(private readonly options: NatsSessionAttachmentsOptions) {
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1_000;
  }

  async attach(request: {
    readonly sessionId: string;
    readonly socketId: string;
    readonly force: boolean;
    readonly onDisplaced: (by: DisplacedBy) => void;
  }): Promise<SessionAttachment | 'already-attached'> {
    const { nats, instanceId } = this.options;
    const subject = `${this.options.subjectPrefix}.session.${request.sessionId}`;
    if (!request.force && (await this.someoneHolds(subject, request.socketId))) return 'already-attached';

    let displaced = false;
    const displace = (by: DisplacedBy): void => {
      if (displaced) return;
      displaced = true;
      request.onDisplaced(by);
    };
    const subscription = nats.subscribe(subject, {
      callback: (error, msg) => {
        if (error !== null) return;
        const notice = decode(msg);
        if (notice === undefined || notice.socketId === request.socketId) {
          if (notice?.kind === 'refused') displace('already-attached');
          return;
        }
        switch (notice.kind) {
          case 'probe':
            msg.respond(encode({ kind: 'holder', socketId: request.socketId, instanceId }));
            return;
          case 'ended':
            displace('ended');
            return;
          case 'attached':
            if (notice.force) displace('force');
            else if (notice.socketId > request.socketId)
              nats.publish(subject, encode({ kind: 'refused', socketId: notice.socketId }));
            else displace('already-attached');
            return;
          default:
            return;
        }
      },
    });
    // The server must know the subscription before the announcement, or a racing socket could miss us.
    await nats.flush();
    nats.publish(
      subject,
      encode({ kind: 'attached', socketId: request.socketId, force: request.force, instanceId }),
    );
    return {
      release: () => {
        if (!nats.isClosed()) subscription.unsubscribe();
      },
    };
  }

  async sessionEnded(sessionId: string): Promise<void> {
    const { nats } = this.options;
    nats.publish(
      `${this.options.subjectPrefix}.session.${sessionId}`,
      encode({ kind: 'ended', socketId: '' }),
    );
    await nats.flush();
  }

  private async someoneHolds(subject: string, socketId: string): Promise<boolean> {
    try {
      await this.options.nats.request(subject, encode({ kind: 'probe', socketId }), {
        timeout: this.probeTimeoutMs,
      });
      return true;
    } catch (error) {
      if (error instanceof RequestError && error.isNoResponders()) return false;
      if (error instanceof TimeoutError) {
        // A holder that cannot answer within the timeout is taken as gone: the client must not be locked out.
        this.options.logger.warn({ subject }, 'session holder did not answer the probe; attaching anyway');
        return false;
      }
      throw error;
    }
  }
}
