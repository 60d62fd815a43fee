import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';

/**
 * Sends SIP OPTIONS over UDP to 127.0.0.1:`port` every 50 ms until any SIP response comes back, so a
 * registrar counts as ready only once it really answers. Resolves with the status line.
 */
export function waitForSipResponse(
  port: number,
  timeoutMs: number,
  abortWhen: () => string | undefined,
): Promise<string> {
  const socket = createSocket('udp4');
  return new Promise<string>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void): void => {
      clearInterval(timer);
      socket.close();
      settle();
    };
    const deadline = Date.now() + timeoutMs;
    socket.on('message', (message) => {
      const statusLine = message.toString('utf8').split('\r\n')[0] ?? '';
      if (statusLine.startsWith('SIP/2.0 ')) finish(() => resolve(statusLine));
    });
    socket.on('error', (error) => finish(() => reject(error)));
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      const localPort = socket.address().port;
      const send = (): void => {
        const reason = abortWhen();
        if (reason !== undefined) return finish(() => reject(new Error(reason)));
        if (Date.now() > deadline) {
          return finish(() =>
            reject(new Error(`127.0.0.1:${port} answered no SIP OPTIONS within ${timeoutMs} ms`)),
          );
        }
        socket.send(optionsRequest(port, localPort), port, '127.0.0.1');
      };
      timer = setInterval(send, 50);
      send();
    });
  });
}

function optionsRequest(port: number, localPort: number): string {
  return [
    `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK-${randomUUID()};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1:${localPort}>;tag=${randomUUID()}`,
    `To: <sip:127.0.0.1:${port}>`,
    `Call-ID: probe-${randomUUID()}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
