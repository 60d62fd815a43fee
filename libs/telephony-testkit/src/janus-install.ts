import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { TelephonyBinaryMissingError } from './errors.js';

export const JANUS_BINARY = '/usr/bin/janus';

export interface JanusModules {
  /** The SIP plugin shared object (the only plugin the tests load). */
  readonly sipPlugin: string;
  /** The WebSockets transport shared object (the only transport the tests load). */
  readonly webSocketsTransport: string;
}

let located: Promise<JanusModules> | undefined;

/** Where the Debian `janus` package put the SIP plugin and the WebSockets transport (asked of dpkg once). */
export function locateJanusModules(): Promise<JanusModules> {
  located ??= askDpkg().catch((error: unknown) => {
    located = undefined;
    throw error;
  });
  return located;
}

async function askDpkg(): Promise<JanusModules> {
  if (!existsSync(JANUS_BINARY)) throw new TelephonyBinaryMissingError(JANUS_BINARY, 'janus');
  let listing: string;
  try {
    listing = (await promisify(execFile)('dpkg', ['-L', 'janus'])).stdout;
  } catch (error) {
    throw new TelephonyBinaryMissingError('the janus package file list', 'janus', { cause: error });
  }
  const files = listing.split('\n');
  const find = (suffix: string): string => {
    const file = files.find((line) => line.endsWith(suffix));
    if (file === undefined || !existsSync(file)) throw new TelephonyBinaryMissingError(suffix, 'janus');
    return file;
  };
  return {
    sipPlugin: find('/plugins/libjanus_sip.so'),
    webSocketsTransport: find('/transports/libjanus_websockets.so'),
  };
}
