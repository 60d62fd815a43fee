import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type pg from 'pg';
import { PlatformBuildMissingError } from './errors.js';

/** The compiled entry points the platform runs, as production runs them (`node <file>`). */
export interface RingbusBuild {
  readonly repositoryRoot: string;
  readonly eventRelayMain: string;
  readonly signalingMain: string;
  readonly mediaOrchestrationMain: string;
}

/** A session token as signaling minted and stored it (only its hash is stored). */
export interface SignalingSessionToken {
  readonly token: string;
  readonly sessionId: string;
  readonly expiresAt: Date;
}

/**
 * The two functions of signaling that provision a user: the subscriber row (lines, caller number) and a
 * session token. Loaded from signaling's own compiled code, so the harness stores them exactly as
 * signaling reads them, without this lib depending on the service at build time.
 */
export interface SignalingProvisioning {
  provisionSubscriber(
    pool: pg.Pool,
    subscriber: { tenant: string; userId: string; lines: number; callerNumber: string },
  ): Promise<void>;
  mintSessionToken(
    pool: pg.Pool,
    request: { userId: string; tenant: string; ttlMs?: number },
  ): Promise<SignalingSessionToken>;
}

/** Finds the repository this lib sits in (from `src/` or `dist/src/`) and its compiled services. */
export function locateRingbusBuild(): RingbusBuild {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'services', 'signaling', 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory)
      throw new PlatformBuildMissingError('services/signaling', 'is not above this lib');
    directory = parent;
  }
  const build: RingbusBuild = {
    repositoryRoot: directory,
    eventRelayMain: join(directory, 'libs', 'event-relay', 'dist', 'src', 'main.js'),
    signalingMain: join(directory, 'services', 'signaling', 'dist', 'src', 'main.js'),
    mediaOrchestrationMain: join(directory, 'services', 'media-orchestration', 'dist', 'src', 'main.js'),
  };
  for (const file of [build.eventRelayMain, build.signalingMain, build.mediaOrchestrationMain]) {
    if (!existsSync(file)) throw new PlatformBuildMissingError(file);
  }
  return build;
}

export async function loadSignalingProvisioning(build: RingbusBuild): Promise<SignalingProvisioning> {
  const adapters = join(build.repositoryRoot, 'services', 'signaling', 'dist', 'src', 'adapters', 'postgres');
  const subscribersFile = join(adapters, 'subscribers.js');
  const tokensFile = join(adapters, 'session-tokens.js');
  const subscribers = (await importCompiled(subscribersFile)) as Partial<SignalingProvisioning>;
  const tokens = (await importCompiled(tokensFile)) as Partial<SignalingProvisioning>;
  if (typeof subscribers.provisionSubscriber !== 'function') {
    throw new PlatformBuildMissingError(subscribersFile, 'exports no provisionSubscriber');
  }
  if (typeof tokens.mintSessionToken !== 'function') {
    throw new PlatformBuildMissingError(tokensFile, 'exports no mintSessionToken');
  }
  return { provisionSubscriber: subscribers.provisionSubscriber, mintSessionToken: tokens.mintSessionToken };
}

async function importCompiled(file: string): Promise<unknown> {
  if (!existsSync(file)) throw new PlatformBuildMissingError(file);
  return import(pathToFileURL(file).href);
}
