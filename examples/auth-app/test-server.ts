// Starts the demo for tests: 127.0.0.1, port 0, a temporary SQLite file, a FakeClock; over https
// (https://localhost) when given a certificate, as the DBSC browser test needs.
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbscOptions } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { serve } from '../../test/support/http.js';
import { createApp } from './app.js';
import { sqliteBackend } from './store-from-env.js';
import type { UserRepository } from './users/types.js';

/** One exchange as the server saw it (the DBSC browser test reads the browser's DBSC requests here). */
export interface LoggedExchange {
  method: string;
  path: string;
  status: number;
  request: Record<string, string | string[] | undefined>;
  response: Record<string, string | number | string[] | undefined>;
}

export interface TestApp {
  url: string;
  clock: FakeClock;
  users: UserRepository;
  /** Every request, in the order the responses finished. */
  log: LoggedExchange[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  idleTimeout?: number;
  /** Serve https on `https://localhost:<port>` with this certificate (the DBSC browser test). */
  tls?: { key: string; cert: string };
  /** The demo's `dbsc` option (default: on, with its defaults). */
  dbsc?: DbscOptions | false;
}

export const TEST_SECRET = 'auth-app-test-secret-0123456789abcdefghijkl';

async function serveHttps(handler: Parameters<typeof createServer>[1], tls: { key: string; cert: string }): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(tls, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-auth-app-'));
  const clock = new FakeClock(Date.now());
  const backend = sqliteBackend(join(dir, 'demo.db'), { clock });
  await backend.users.init();
  const app = createApp({
    store: backend.store,
    users: backend.users,
    secrets: TEST_SECRET,
    clock,
    idleTimeout: options.idleTimeout ?? 600,
    ...(options.dbsc === undefined ? {} : { dbsc: options.dbsc }),
  });
  const log: LoggedExchange[] = [];
  const logged = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('finish', () => log.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, request: { ...req.headers }, response: res.getHeaders() }));
    app(req, res);
  };
  const server = options.tls === undefined ? await serve(logged) : await serveHttps(logged, options.tls);
  return {
    url: server.url,
    clock,
    users: backend.users,
    log,
    close: async () => {
      await server.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
