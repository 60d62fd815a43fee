import { randomUUID } from 'node:crypto';
import { type SippPeer } from '@ringbus/telephony-testkit';
import { type TestSubscriber } from './softphone.js';

/** A user who receives calls: registered by media-orchestration at the platform's Kamailio. */
export interface RegisteredUserOptions {
  /** The SIP user name (letters, digits, `.`, `_`, `-`): identity `sip:<name>@127.0.0.1`, what the carrier calls. */
  readonly name: string;
  /** Lines of the subscriber (signaling) and of the SIP account (media-orchestration); default 2. */
  readonly lines?: number;
  /** Handles registered for the SIP account when they should differ from `lines` (1-8). */
  readonly sipLines?: number;
  readonly callerNumber?: string;
}

/** A subscriber of signaling with the matching SIP_ACCOUNTS entry of media-orchestration. */
export interface RegisteredUser extends TestSubscriber {
  readonly sipName: string;
  /** `sip:<name>@127.0.0.1`. */
  readonly identity: string;
  /** The SIP account's `lines`: the registered handle and its helpers. */
  readonly sipLines: number;
  readonly secret: string;
}

/** What the carrier does when it calls a registered user (sipp scenarios of libs/telephony-testkit). */
export type IncomingCallScenario =
  /** INVITE, 200 OK, ACK, then waits for the user's BYE. */
  | 'uac-invite'
  /** INVITE, 200 OK, ACK, after `pauseMs` the carrier's own BYE (`scenarios/carrier-calls-then-bye.xml`). */
  | 'carrier-calls-then-bye'
  /** INVITE refused: 486 or 603, ACK. */
  | 'uac-invite-refused'
  /** INVITE, 180, after `pauseMs` CANCEL, 487, ACK. */
  | 'uac-invite-cancel';

export interface IncomingCallOptions {
  readonly scenario: IncomingCallScenario;
  /** Milliseconds of the scenario's pause (`-d`): before the CANCEL or the carrier's BYE. */
  readonly pauseMs?: number;
  /** Within this a response or request the scenario expects must come (default 30 s). */
  readonly recvTimeoutMs?: number;
}

/** One call of the carrier (a sipp of its own) to a registered user through Kamailio. */
export interface CarrierCall {
  readonly user: RegisteredUser;
  /** The INVITE's Call-ID, unique per call (sipp `-cid_str`). */
  readonly carrierSipCallId: string;
  readonly sipp: SippPeer;
}

const SIP_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_SIP_LINES = 8;

export function checkedRegisteredUser(options: RegisteredUserOptions): Required<RegisteredUserOptions> {
  if (!SIP_NAME.test(options.name)) {
    throw new RangeError(
      `a registered user's name must be 1-64 letters, digits, ., _ or -; got ${options.name}`,
    );
  }
  const lines = options.lines ?? 2;
  const sipLines = options.sipLines ?? lines;
  if (!Number.isInteger(sipLines) || sipLines < 1 || sipLines > MAX_SIP_LINES) {
    throw new RangeError(`a SIP account has 1-${MAX_SIP_LINES} lines, got ${sipLines} for ${options.name}`);
  }
  return { name: options.name, lines, sipLines, callerNumber: options.callerNumber ?? '+15550002' };
}

/** The user id of a registered user: a prefix naming it, unique per platform. */
export function registeredUserId(name: string): string {
  return `user-${name}-${randomUUID()}`;
}

/** A Call-ID for the carrier's next INVITE: unique across platforms and runs. */
export function carrierSipCallId(sequence: number): string {
  return `carrier-${sequence}-${randomUUID()}@127.0.0.1`;
}

/** Media-orchestration's SIP_ACCOUNTS entries for `users`, registered at `registrar`. */
export function sipAccountsFor(
  users: readonly RegisteredUser[],
  registrar: string,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    users.map((user) => [
      user.userId,
      {
        identity: user.identity,
        registrar,
        secret: user.secret,
        tenant: user.tenant,
        lines: user.sipLines,
      },
    ]),
  );
}
