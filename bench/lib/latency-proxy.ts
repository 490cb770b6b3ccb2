// A TCP proxy that adds a fixed delay each way, to put a store "across a network" from the app:
// every chunk is forwarded `delayMs` after it arrived, in order (timers of one duration fire in
// the order they were set), so a request/response round trip costs 2 × delayMs more.
import type { Socket } from 'node:net';
import { connect, createServer } from 'node:net';

export interface LatencyProxy {
  /** The local port to connect to instead of the target's. */
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Forwards `from` to `to`, each chunk `delayMs` later; an end or an error reaches the other side after the same delay. */
function pipeDelayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => setTimeout(() => to.destroy(), delayMs));
  from.on('close', () => setTimeout(() => to.destroy(), delayMs));
}

/** Listens on 127.0.0.1 (port 0) and forwards each connection to `target` with `delayMs` added each way. */
export async function startLatencyProxy(target: { host: string; port: number }, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    return socket;
  };
  const server = createServer((client) => {
    track(client).setNoDelay(true);
    const upstream = track(connect({ host: target.host, port: target.port }));
    upstream.setNoDelay(true);
    pipeDelayed(client, upstream, delayMs);
    pipeDelayed(upstream, client, delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('latency proxy: no TCP address');
  return {
    port: address.port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
