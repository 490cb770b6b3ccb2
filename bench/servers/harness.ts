// What every benchmark server shares: the session data, the secret, and the control channel.
// A server listens on 127.0.0.1 (port 0), tells its parent the port over IPC, and answers
// `reset` / `read` messages so that CPU time and requests are counted inside the server, over
// exactly the measured window.
import type { Server } from 'node:http';

/** 32+ bytes, the same for every library. */
export const SECRET = 'bench-secret-0123456789abcdef-0123456789abcdef';

/** Small, realistic login data: what S1 reads, S2 extends and S3 writes. */
export function loginData(n: number): { userId: string; name: string; roles: string[]; loginAt: number } {
  return { userId: `user-${n}`, name: 'Ada Lovelace', roles: ['member', 'editor'], loginAt: Date.now() };
}

let loginCount = 0;
/** A distinct user per login. */
export const nextLogin = (): ReturnType<typeof loginData> => loginData(++loginCount);

/** The message a server sends once it listens, or when its library is not available here. */
export type ReadyMessage = { type: 'ready'; port: number } | { type: 'unavailable'; reason: string };
export type ControlRequest = { type: 'reset' } | { type: 'read' } | { type: 'shutdown' };
export interface Counters {
  type: 'counters';
  cpuUs: number;
  requests: number;
}

/** Starts counting on `reset`; `read` returns CPU µs (user + system) and requests since then. */
export function serve(server: Server, cleanup: () => Promise<void> = async () => {}): void {
  // bench/in-process.ts: drive the request listener directly, report, and exit.
  const inProcess = process.env.BENCH_IN_PROCESS;
  if (inProcess !== undefined) {
    void runInProcess(server, inProcess, cleanup);
    return;
  }
  let requests = 0;
  let cpuStart = process.cpuUsage();
  server.on('request', () => {
    requests++;
  });
  const send = (message: ReadyMessage | Counters | { type: 'reset-done' }): void => {
    process.send?.(message);
  };
  const shutdown = async (): Promise<void> => {
    // Let requests in flight finish their commits (at most 2 s) before the store goes away.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    server.closeAllConnections();
    try {
      await cleanup();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message: ControlRequest) => {
    if (message.type === 'reset') {
      requests = 0;
      cpuStart = process.cpuUsage();
      send({ type: 'reset-done' });
    } else if (message.type === 'read') {
      const used = process.cpuUsage(cpuStart);
      send({ type: 'counters', cpuUs: used.user + used.system, requests });
    } else if (message.type === 'shutdown') {
      void shutdown();
    }
  });
  // The parent went away (crash, Ctrl-C): never outlive it.
  process.on('disconnect', () => void shutdown());
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    send({ type: 'ready', port: address.port });
  });
}

async function runInProcess(server: Server, scenario: string, cleanup: () => Promise<void>): Promise<void> {
  const { driveInProcess } = await import('../lib/in-process-driver.js');
  const listener = server.listeners('request')[0] as Parameters<typeof driveInProcess>[0];
  const quick = process.env.BENCH_QUICK === '1';
  // bench/instructions.ts sets an exact request count, no time bound (the run is under callgrind).
  const exact = (name: string): number | undefined => (process.env[name] === undefined ? undefined : Number(process.env[name]));
  try {
    const result = await driveInProcess(listener, scenario as Parameters<typeof driveInProcess>[1], {
      sessions: exact('BENCH_SESSIONS') ?? (quick ? 100 : 1000),
      requests: exact('BENCH_REQUESTS') ?? (quick ? 3_000 : 20_000),
      warmup: exact('BENCH_WARMUP') ?? 2000,
      maxMs: exact('BENCH_REQUESTS') === undefined ? (quick ? 600 : 4_000) : Infinity,
      ...(exact('BENCH_MARK_AT') === undefined ? {} : { markAt: exact('BENCH_MARK_AT')! }),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await cleanup();
  }
  process.exit(0);
}

/** Tells the parent this library cannot run here (e.g. a feature not merged yet), then exits. */
export function unavailable(reason: string): never {
  const message: ReadyMessage = { type: 'unavailable', reason };
  if (process.send) process.send(message, undefined, {}, () => process.exit(0));
  else process.exit(0);
  // Wait for the message to leave; the callback above exits.
  throw new Error(`unavailable: ${reason}`);
}

/** The argument after the script name, e.g. the store to use. */
export function argument(fallback: string): string {
  return process.argv[2] ?? fallback;
}

/** A name unique to this run, for Redis prefixes and PostgreSQL tables. */
export function runId(): string {
  return process.env.BENCH_RUN_ID ?? `${process.pid}`;
}
