import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSipp, type SippPeer, type TracedSipMessage } from '@ringbus/telephony-testkit';
import { startPlatform, type Platform, type PlatformOptions } from '../../src/index.js';

/**
 * The carrier of the call-control tests (`call-control-carrier.xml`): one sipp whose behaviour the called
 * number picks, and which never hangs up itself, so the softphone's requests end every call.
 */
export const carrierNumbers = {
  /** Answered (PCMU, RTP echoed); every re-INVITE (an ICE restart) answered sendrecv; INFO answered 200. */
  answering: (suffix: string): string => `+1555${digitsOf(suffix)}`,
  /** Answered; re-INVITEs alternate hold (answered recvonly) and resume (answered sendrecv). */
  holding: (suffix: string): string => `+1444${digitsOf(suffix)}`,
  /** 180 Ringing until CANCEL, then 487. */
  ringing: (suffix: string): string => `+1180${digitsOf(suffix)}`,
  /** 183 with SDP (early media), 2 s later 200 OK with the same SDP. */
  earlyMedia: (suffix: string): string => `+1183${digitsOf(suffix)}`,
} as const;

/** How long the carrier plays early media before it answers (the scenario's pause). */
export const EARLY_MEDIA_MS = 2_000;

function digitsOf(suffix: string): string {
  if (!/^\d{1,12}$/.test(suffix)) throw new RangeError(`a number suffix must be 1-12 digits, got ${suffix}`);
  return suffix;
}

function scenarioFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // From the sources (vitest) the XML sits beside this file; from dist/test/support it is in the sources.
  for (const dir of [here, join(here, '..', '..', '..', 'test', 'support')]) {
    const file = join(dir, 'call-control-carrier.xml');
    if (existsSync(file)) return file;
  }
  throw new Error(`call-control-carrier.xml not found from ${here}`);
}

/** sipp with the call-control scenario, for as many calls as a test file makes. */
export function startCallControlCarrier(): Promise<SippPeer> {
  return runSipp({
    scenario: { file: scenarioFile() },
    calls: 1_000_000,
    recvTimeoutMs: 60_000,
    globalTimeoutMs: 3_600_000,
  });
}

export interface CallControlPlatform {
  readonly platform: Platform;
  /** The carrier media-orchestration dials (the platform's own `carrier` is started but never called). */
  readonly carrier: SippPeer;
  stop(): Promise<void>;
}

/**
 * The whole platform with media-orchestration's trunk pointed at the call-control carrier, through the
 * platform's per-service environment (`SIP_OUTBOUND_URI`).
 */
export async function startCallControlPlatform(options: PlatformOptions = {}): Promise<CallControlPlatform> {
  const carrier = await startCallControlCarrier();
  let platform: Platform;
  try {
    platform = await startPlatform({
      ...options,
      mediaOrchestrationEnv: {
        ...options.mediaOrchestrationEnv,
        SIP_OUTBOUND_URI: `sip:{number}@127.0.0.1:${carrier.sipPort}`,
      },
    });
  } catch (error) {
    await carrier.stop();
    throw error;
  }
  return {
    platform,
    carrier,
    async stop() {
      try {
        await platform.stop();
      } finally {
        await carrier.stop();
      }
    },
  };
}

/** The messages of one SIP dialog (by Call-ID) in sipp's trace. */
export function dialogOf(carrier: SippPeer, sipCallId: string): TracedSipMessage[] {
  return carrier.messages().filter((message) => message.callId === sipCallId);
}

/** Waits until sipp's trace holds `count` messages that match, and returns them all. */
export async function waitForSipMessages(
  carrier: SippPeer,
  matches: (message: TracedSipMessage) => boolean,
  count: number,
  timeoutMs = 10_000,
): Promise<TracedSipMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = carrier.messages().filter(matches);
    if (found.length >= count) return found;
    if (Date.now() > deadline) {
      const seen = carrier.messages().map((message) => `${message.direction} ${message.startLine}`);
      throw new Error(
        `sipp traced ${found.length} of ${count} matching messages in ${timeoutMs} ms; it traced: ${seen.join(' | ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A request sipp received on the dialog `sipCallId`. */
export const receivedRequest =
  (method: string, sipCallId: string) =>
  (message: TracedSipMessage): boolean =>
    message.direction === 'received' && message.method === method && message.callId === sipCallId;

/** A response sipp sent on the dialog `sipCallId` to a request of `method`. */
export const sentResponse =
  (status: number, method: string, sipCallId: string) =>
  (message: TracedSipMessage): boolean =>
    message.direction === 'sent' &&
    message.status === status &&
    message.cseq?.method === method &&
    message.callId === sipCallId;

/** The SDP direction attributes (`a=sendonly` …) of a message body. */
export function sdpDirections(body: string): string[] {
  return [...body.matchAll(/^a=(sendrecv|sendonly|recvonly|inactive)\r?$/gm)].map((match) => match[1] ?? '');
}
