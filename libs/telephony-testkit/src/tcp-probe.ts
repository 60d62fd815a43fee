import { connect } from 'node:net';

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
export async function waitForTcpAccept(
  port: number,
  timeoutMs: number,
  abortWhen: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await acceptsOnce(port)) return;
    const reason = abortWhen();
    if (reason !== undefined) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`127.0.0.1:${port} did not accept within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
