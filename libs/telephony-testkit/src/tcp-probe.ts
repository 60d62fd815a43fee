import { connect } from 'node:net';
import { pollUntil } from './poll-until.js';

function acceptsOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Resolves once 127.0.0.1:`port` accepts a TCP connection; rejects after `timeoutMs`, or as soon as
 * `abortWhen` returns a reason (e.g. the server process exited).
 */
export function waitForTcpAccept(
  port: number,
  timeoutMs: number,
  abortWhen: () => string | undefined,
): Promise<void> {
  return pollUntil(() => acceptsOnce(port), {
    timeoutMs,
    abortWhen,
    timeoutMessage: `127.0.0.1:${port} did not accept within ${timeoutMs} ms`,
  });
}
