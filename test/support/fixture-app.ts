import express from 'express';
import type { Express } from 'express';
import { MemoryStore } from '../../src/core/index.js';
import type { SessionEvent } from '../../src/core/index.js';
import { session, saveSession } from '../../src/express/index.js';
import type { ExpressSessionOptions, MiddlewareOptions } from '../../src/express/index.js';
import type { CookieModeOptions, SessionManagerOptions } from '../../src/core/index.js';
import { FakeClock } from '../../src/testing/index.js';
import { RecordingStore } from './recording-store.js';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';
export const OLD_SECRET = 'old-secret-0123456789-abcdefghijklmnopq';

export interface Fixture {
  app: Express;
  clock: FakeClock;
  memory: MemoryStore;
  store: RecordingStore;
  events: SessionEvent[];
}

/** An Express app exercising the session API, on a recording memory store and a fake clock. */
export type FixtureOptions = Partial<SessionManagerOptions & MiddlewareOptions> | Partial<CookieModeOptions & MiddlewareOptions>;

export function fixtureApp(options: FixtureOptions = {}): Fixture {
  const clock = new FakeClock();
  const memory = new MemoryStore({ clock });
  const store = new RecordingStore(memory);
  const events: SessionEvent[] = [];
  const app = express();
  app.use(
    session({
      secrets: SECRET,
      store,
      clock,
      onEvent: (event) => events.push(event),
      onError: () => {},
      ...options,
    } as ExpressSessionOptions),
  );
  app.get('/read', (req, res) => {
    res.json({ views: req.session.get('views') ?? null, user: req.session.get('userId') ?? null, isNew: req.session.isNew });
  });
  app.get('/count', (req, res) => {
    const views = req.session.update('views', (n) => ((n as number | undefined) ?? 0) + 1);
    res.json({ views });
  });
  app.post('/login', (req, res) => {
    req.session.regenerate();
    req.session.set('userId', 'alice');
    if (req.query.remember === '1') req.session.setPersistent(true);
    res.redirect(303, '/read');
  });
  app.post('/logout', (req, res) => {
    req.session.destroy();
    res.redirect(303, '/read');
  });
  app.post('/touch', (req, res) => {
    req.session.touch();
    res.send('ok');
  });
  app.get('/stream', (req, res) => {
    req.session.set('streamed', true);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('a');
    setImmediate(() => {
      req.session.set('late', 'after headers');
      res.end('b');
    });
  });
  app.get('/write-head-then-end', (req, res) => {
    req.session.set('wh', 1);
    res.writeHead(204);
    res.end();
  });
  app.get('/double-end', (req, res) => {
    req.session.set('double', 1);
    res.end('once');
    res.end('twice');
  });
  app.get('/save-then-stream', async (req, res) => {
    req.session.set('early', 'saved');
    await saveSession(req);
    res.write('chunk');
    res.end();
  });
  app.get('/send-file', (req, res) => {
    req.session.set('file', 1);
    res.sendFile(new URL(import.meta.url).pathname);
  });
  return { app, clock, memory, store, events };
}
