import { readFileSync } from 'node:fs';
import { pollUntil } from './poll-until.js';

/** True when some socket in this network namespace is bound to UDP 127.0.0.1:`port` (from /proc/net/udp). */
export function udpBound(port: number): boolean {
  const wanted = [`0100007F:${hexPort(port)}`, `00000000:${hexPort(port)}`];
  const table = readFileSync('/proc/net/udp', 'utf8');
  return table.split('\n').some((line) => {
    const local = line.trim().split(/\s+/)[1];
    return local !== undefined && wanted.includes(local);
  });
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Resolves once UDP 127.0.0.1:`port` is bound (watching, never binding it: a probe bind could steal the
 * port from the process starting up); rejects after `timeoutMs` or when `abortWhen` gives a reason.
 */
export function waitForUdpBound(
  port: number,
  timeoutMs: number,
  abortWhen: () => string | undefined,
): Promise<void> {
  return pollUntil(() => udpBound(port), {
    timeoutMs,
    abortWhen,
    timeoutMessage: `nothing bound UDP 127.0.0.1:${port} within ${timeoutMs} ms`,
  });
}
