// passport 0.7 on the native adapter: its session support is written against express-session's
// req.session (callbacks, data as properties); the native session refuses that loudly, and
// passport's `session: false` plus a few lines of session code is the documented way.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import express from 'express';
import type { ErrorRequestHandler } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import { SECRET } from '../../test/support/fixture-app.js';
import { SessionError } from '../index.js';
import { session } from './index.js';

const USERS = new Map([['ada', { id: 'ada', password: 'lovelace' }]]);
const FORM = { headers: { 'content-type': 'application/x-www-form-urlencoded' } };

function localAuth(): passport.Authenticator {
  const auth = new passport.Passport();
  auth.use(new LocalStrategy((username, password, done) => {
    const user = USERS.get(username);
    done(null, user && user.password === password ? user : false);
  }));
  auth.serializeUser((user, done) => done(null, (user as { id: string }).id));
  auth.deserializeUser((id: string, done) => done(null, USERS.get(id) ?? false));
  return auth;
}

const servers: RunningServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function browse(app: express.Express): Promise<Browser> {
  const server = await serve(app);
  servers.push(server);
  return new Browser(server.url);
}

describe('passport 0.7 on the native Express adapter', () => {
  it("passport's session login answers a 500 that names the fix, instead of hanging on regenerate(callback)", async () => {
    const auth = localAuth();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ secrets: SECRET, cookie: { secure: false } }));
    app.use(auth.initialize());
    app.use(auth.session());
    app.post('/login', auth.authenticate('local'), (_req, res) => res.json({ ok: true }));
    const seen: unknown[] = [];
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      seen.push(error);
      res.status(500).json({ code: (error as SessionError).code });
    };
    app.use(onError);
    const browser = await browse(app);

    const res = await browser.post('/login', { ...FORM, body: 'username=ada&password=lovelace', signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 500);
    assert.deepEqual(JSON.parse(res.body), { code: 'ERR_SESSION_UNSUPPORTED' });
    const error = seen[0];
    assert.ok(error instanceof SessionError);
    assert.match(error.message, /^regenerate\(\) takes no callback: .*needs tessera-session\/express-session/);
  });

  it('with { session: false } and the session written by hand: login regenerates, later requests know the user, logout ends it', async () => {
    const auth = localAuth();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ secrets: SECRET, cookie: { secure: false } }));
    app.use(auth.initialize());
    app.post('/login', auth.authenticate('local', { session: false, failureRedirect: '/failed' }), (req, res) => {
      req.session.regenerate(); // a new ID at login: no fixation
      req.session.set('userId', (req.user as { id: string }).id);
      res.json({ user: req.session.get('userId') });
    });
    app.get('/me', (req, res) => res.json({ user: req.session.get('userId') ?? null }));
    app.post('/logout', (req, res) => {
      req.session.destroy();
      res.json({ ok: true });
    });
    const browser = await browse(app);

    await browser.get('/me');
    const before = await browser.cookie('sid');
    assert.equal((await browser.post('/login', { ...FORM, body: 'username=ada&password=nope' })).status, 302);
    const login = await browser.post('/login', { ...FORM, body: 'username=ada&password=lovelace' });
    assert.deepEqual(JSON.parse(login.body), { user: 'ada' });
    const loggedIn = await browser.cookie('sid');
    assert.ok(loggedIn !== undefined && loggedIn !== before);
    assert.deepEqual(JSON.parse((await browser.get('/me')).body), { user: 'ada' });
    await browser.post('/logout');
    assert.deepEqual(JSON.parse((await browser.get('/me')).body), { user: null });
    const replay = await browser.get('/me', { cookie: `sid=${loggedIn}` });
    assert.deepEqual(JSON.parse(replay.body), { user: null }, 'the logged-in cookie is dead after logout');
  });
});
