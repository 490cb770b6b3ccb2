// The DBSC protocol test app, served over real HTTP by the Express adapter or the Fetch adapter,
// with a fake clock and a memory store.
import { getRequestListener } from '@hono/node-server';
import express from 'express';
import { createDbscEndpoints, nodeDbscMiddleware } from '../../src/dbsc/index.js';
import type { DbscEndpointOptions } from '../../src/dbsc/index.js';
import { session } from '../../src/express/index.js';
import { withSession } from '../../src/fetch/index.js';
import { MemoryStore, createSessionManager } from '../../src/index.js';
import type { DbscOptions, SessionEvent, SessionManager, SessionStore } from '../../src/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { Browser, serve } from '../support/http.js';
import type { RunningServer } from '../support/http.js';

export const SECRET = 'dbsc-protocol-test-secret-0123456789abcdef';

export interface DbscApp {
  readonly clock: FakeClock;
  readonly manager: SessionManager;
  readonly store: SessionStore;
  readonly events: SessionEvent[];
  readonly server: RunningServer;
  browser(): Browser;
  close(): Promise<void>;
}

export type AdapterName = 'express' | 'fetch';

function reply(path: string, method: string, s: { get(k: string): unknown; set(k: string, v: unknown): void; regenerate(): void; destroy(): void; bound: boolean }): unknown {
  if (method === 'POST' && path === '/login') {
    s.regenerate();
    s.set('userId', 'ada');
    return { ok: true };
  }
  if (method === 'POST' && path === '/logout') {
    s.destroy();
    return { ok: true };
  }
  if (method === 'POST' && path === '/note') {
    s.set('note', 'hello');
    return { ok: true };
  }
  return { user: s.get('userId') ?? null, bound: s.bound, note: s.get('note') ?? null };
}

export async function startApp(adapter: AdapterName, dbsc: DbscOptions = {}, endpointOptions: DbscEndpointOptions = {}): Promise<DbscApp> {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock });
  const events: SessionEvent[] = [];
  const manager = createSessionManager({ secrets: SECRET, clock, store, dbsc, onEvent: (event) => events.push(event) });
  const endpoints = createDbscEndpoints(manager, endpointOptions);
  let server: RunningServer;
  if (adapter === 'express') {
    const app = express();
    app.use(nodeDbscMiddleware(endpoints));
    app.use(session(manager));
    app.all('/{*rest}', (req, res) => {
      res.json(reply(req.path, req.method, req.session as never));
    });
    server = await serve(app);
  } else {
    const app = withSession(manager, (request, s) => Promise.resolve(Response.json(reply(new URL(request.url).pathname, request.method, s as never))));
    server = await serve(getRequestListener(async (request: Request) => (await endpoints.handle(request)) ?? app(request), { overrideGlobalObjects: false }));
  }
  return { clock, manager, store, events, server, browser: () => new Browser(server.url), close: () => server.close() };
}
