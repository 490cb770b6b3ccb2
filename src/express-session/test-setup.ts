// Shared set-up for the middleware tests (middleware.test.ts, save-rules.test.ts); not built into
// the package. A bare node:http server running the middleware then a respond function, in the
// style of express-session's own suite, closed after the importing file's tests; readers of the
// session cookie; a MemoryStore that counts its calls.
import assert from 'node:assert/strict';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { after } from 'node:test';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import session, { MemoryStore } from './index.js';
import type { SessionOptions, SessionRequest } from './index.js';

// The data the drop-in's tests keep in sessions, typed as an application types it.
declare module './session.js' {
  interface SessionData {
    views: number;
    visited: boolean;
    user: string;
    n: number;
    big: boolean;
    x: number;
    cart: string[];
  }
}

export const SECRET = 'keyboard cat';
export type Respond = (req: SessionRequest, res: ServerResponse) => void;

const servers: RunningServer[] = [];
after(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** Serves `handler` until the tests end; a browser for it. */
export async function listen(handler: RequestListener): Promise<Browser> {
  const server = await serve(handler);
  servers.push(server);
  return new Browser(server.url);
}

/** A server running the middleware then `respond`; middleware errors answer 500 with the message and are recorded. */
export async function app(options: SessionOptions, respond: Respond = (_req, res) => res.end('ok')) {
  const errors: unknown[] = [];
  const middleware = session({ secret: SECRET, resave: false, saveUninitialized: true, ...options });
  const browser = await listen((req: IncomingMessage, res: ServerResponse) => {
    middleware(req as SessionRequest, res, (error?: unknown) => {
      if (error) {
        errors.push(error);
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end(error instanceof Error ? error.message : String(error));
        }
        return;
      }
      respond(req as SessionRequest, res);
    });
  });
  return { errors, browser };
}

export function cookieOf(setCookie: string[], name = 'connect.sid'): string | undefined {
  return setCookie.find((c) => c.startsWith(`${name}=`));
}

export function sidOf(setCookie: string[], name = 'connect.sid'): string {
  const header = cookieOf(setCookie, name);
  assert.ok(header, `expected a ${name} cookie`);
  const value = decodeURIComponent(header.split(';')[0]!.slice(name.length + 1));
  return value.slice(2, value.lastIndexOf('.'));
}

/** A MemoryStore that counts its calls. */
export function countingStore() {
  const store = new MemoryStore();
  const calls = { get: 0, set: 0, touch: 0, destroy: 0 };
  for (const method of ['get', 'set', 'touch', 'destroy'] as const) {
    const original = store[method].bind(store) as (...args: unknown[]) => void;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      calls[method]++;
      original(...args);
    };
  }
  return { store, calls };
}
