// The end of the response with the drop-in, over real HTTP: a second res.end() fails as it does on
// a bare node:http or Express server on this Node version (the outcome is compared with one),
// and a cookie that cannot be serialised reaches next(err), so the app's error middleware
// answers 500, whether res.end() was called in the handler or later from a callback.
import assert from 'node:assert/strict';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import session from './index.js';
import type { SessionOptions, SessionRequest } from './index.js';
import { SECRET } from './test-setup.js';

const servers: RunningServer[] = [];
after(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function listen(handler: RequestListener): Promise<Browser> {
  const server = await serve(handler);
  servers.push(server);
  return new Browser(server.url);
}

/** What the server saw of one response: 'error' events on `res` and the codes given to the second end's callback. */
interface Seen {
  errorEvents: string[];
  callbackCodes: (string | null)[];
}

/** The second call, after `res.end('first')`. */
const SECOND_CALLS: Record<string, (res: ServerResponse, callback: (error?: Error | null) => void) => void> = {
  'end(body)': (res) => res.end('second'),
  'end(body, callback)': (res, callback) => res.end('second', callback),
  'end(callback)': (res, callback) => res.end(callback),
  'end()': (res) => res.end(),
};

/**
 * A handler that ends twice and records what follows until the response closes. `modify` changes
 * the session first, so that the first end waits for the store's save.
 */
function endTwice(second: (typeof SECOND_CALLS)[string], modify: boolean, seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const record: Seen = { errorEvents: [], callbackCodes: [] };
    res.on('error', (error: NodeJS.ErrnoException) => record.errorEvents.push(error.code ?? error.message));
    res.on('close', () => setImmediate(() => seen.push(record)));
    const sess = (req as SessionRequest).session;
    if (modify && sess) sess.n = 1;
    res.end('first');
    second(res, (error) => record.callbackCodes.push((error as NodeJS.ErrnoException | null | undefined)?.code ?? null));
  };
}

/** Two requests on one keep-alive connection: what the client got, what the server saw, and whether the socket was reused. */
async function outcome(kind: 'node:http' | 'express', second: (typeof SECOND_CALLS)[string], options: SessionOptions | undefined, modify: boolean) {
  const seen: Seen[] = [];
  const sockets: unknown[] = [];
  const handler = endTwice(second, modify, seen);
  const middleware = options === undefined ? undefined : session({ secret: SECRET, resave: false, saveUninitialized: false, ...options });
  let listener: RequestListener;
  if (kind === 'express') {
    const app = express();
    app.use((req, _res, next) => {
      sockets.push(req.socket);
      next();
    });
    if (middleware) app.use(middleware);
    app.get('/', handler);
    listener = app;
  } else {
    listener = (req, res) => {
      sockets.push(req.socket);
      if (middleware) middleware(req, res, () => handler(req, res));
      else handler(req, res);
    };
  }
  const browser = await listen(listener);
  const responses = [];
  for (let i = 0; i < 2; i++) {
    const res = await browser.get('/');
    responses.push({ status: res.status, body: res.body });
  }
  // The server records each response once it has closed (a bounded wait: two responses).
  for (let turns = 0; seen.length < 2 && turns < 1000; turns++) await new Promise((resolve) => setImmediate(resolve));
  return { responses, seen, socketReused: sockets.length === 2 && sockets[0] === sockets[1] };
}

describe('express-session compat: a second res.end()', () => {
  for (const [name, second] of Object.entries(SECOND_CALLS)) {
    for (const kind of ['node:http', 'express'] as const) {
      it(`${name} after res.end('first') on ${kind}: as without the middleware`, { timeout: 20_000 }, async () => {
        const bare = await outcome(kind, second, undefined, false);
        // Node's own outcome on this version, which the drop-in must reproduce.
        assert.deepEqual(bare.responses, [
          { status: 200, body: 'first' },
          { status: 200, body: 'first' },
        ]);
        if (name.includes('body')) assert.deepEqual(bare.seen[0]!.errorEvents, ['ERR_STREAM_WRITE_AFTER_END']);
        for (const modify of [false, true]) {
          const withSession = await outcome(kind, second, {}, modify);
          assert.deepEqual(withSession, bare, modify ? 'the first end waits for the store' : 'nothing to save');
        }
      });
    }
  }
});

describe('express-session compat: a cookie that cannot be serialised', () => {
  /** An Express app whose error middleware answers 500 with the message (or records it when the headers are gone). */
  async function expressApp(options: SessionOptions, route: (req: SessionRequest, res: Response) => void) {
    const errors: string[] = [];
    const app = express();
    app.use(session({ secret: SECRET, resave: false, saveUninitialized: true, ...options }));
    app.get('/', (req, res) => route(req as unknown as SessionRequest, res));
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(error.message);
      if (res.headersSent) return;
      res.status(500).type('text').send(`error page: ${error.message}`);
    });
    return { errors, browser: await listen(app) };
  }

  const invalidExpires = (req: SessionRequest) => {
    req.session!.cookie.expires = new Date(NaN);
  };
  const cases: Record<string, [SessionOptions, (req: SessionRequest, res: Response) => void, string]> = {
    'an invalid cookie.expires, res.send in the handler': [{}, (req, res) => (invalidExpires(req), res.send('ok')), 'option expires is invalid'],
    'an invalid cookie.expires, res.end from a later callback': [{}, (req, res) => (invalidExpires(req), setImmediate(() => res.end('ok'))), 'option expires is invalid'],
    'an invalid cookie.expires, res.redirect after req.session.save(callback)': [
      {},
      (req, res) => {
        invalidExpires(req);
        req.session!.save(() => res.redirect('/elsewhere'));
      },
      'option expires is invalid',
    ],
    'an invalid domain option, res.end from a later callback': [{ cookie: { domain: 'bad domain' } }, (_req, res) => setImmediate(() => res.end('ok')), 'option domain is invalid'],
  };
  for (const [name, [options, route, message]] of Object.entries(cases)) {
    it(`${name}: next(err), and the error middleware answers 500`, async () => {
      const { errors, browser } = await expressApp(options, route);
      const res = await browser.get('/');
      assert.equal(res.status, 500);
      assert.equal(res.body, `error page: ${message}`);
      assert.deepEqual(res.setCookie, []);
      assert.deepEqual(errors, [message]);
      // The app still serves (nothing was thrown out of res.end).
      assert.equal((await browser.get('/')).status, 500);
    });
  }

  it('from res.write (headers sent first): the response goes out without the cookie and the error reaches next(err)', async () => {
    const { errors, browser } = await expressApp({}, (req, res) => {
      invalidExpires(req);
      res.write('part one, ');
      res.end('part two');
    });
    const res = await browser.get('/');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'part one, part two');
    assert.deepEqual(res.setCookie, []);
    for (let turns = 0; errors.length === 0 && turns < 1000; turns++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(errors, ['option expires is invalid']);
  });

  it('a callback given to the failed res.end runs when the error page is sent', async () => {
    let called = 0;
    const { browser } = await expressApp({}, (req, res) => {
      invalidExpires(req);
      res.end('ok', () => called++);
    });
    assert.equal((await browser.get('/')).status, 500);
    for (let turns = 0; called === 0 && turns < 1000; turns++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(called, 1);
  });
});
