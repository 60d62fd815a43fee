import { createSocket, type Socket } from 'node:dgram';

function bindUdp(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind({ address: '127.0.0.1', port, exclusive: true }, () => resolve(socket));
  });
}

function closeAll(sockets: readonly Socket[]): Promise<void> {
  return Promise.all(
    sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))),
  ).then(() => undefined);
}

/**
 * A UDP port on 127.0.0.1 that was free a moment ago (someone may still take it before the caller binds).
 * With `alsoFreeAt`, the ports at those offsets from it are free as well, e.g. [2] for sipp's RTP echo,
 * which also binds the media port + 2.
 */
export async function freeLoopbackUdpPort(alsoFreeAt: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindUdp(0);
    if (first === undefined) continue;
    const port = first.address().port;
    const others: Socket[] = [];
    let allFree = true;
    for (const offset of alsoFreeAt) {
      const other = port + offset <= 65_535 ? await bindUdp(port + offset) : undefined;
      if (other === undefined) {
        allFree = false;
        break;
      }
      others.push(other);
    }
    await closeAll([first, ...others]);
    if (allFree) return port;
  }
  throw new Error('no free loopback UDP port found in 50 attempts');
}
