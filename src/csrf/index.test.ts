import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import fc from 'fast-check';
import { Browser, serve } from '../../test/support/http.js';
import type { RunningServer } from '../../test/support/http.js';
import { MemoryStore, SessionError, createSessionManager } from '../index.js';
import type { Session } from '../index.js';
import { getSession, session } from '../express/index.js';
import { createCsrf } from './index.js';
import type { Csrf } from './index.js';

const SECRET = 'csrf-test-secret-0123456789abcdefghijklmnop';
const manager = createSessionManager<Record<string, unknown>>({ secrets: SECRET, store: new MemoryStore() });
const fresh = (): Promise<Session<Record<string, unknown>>> => manager.load(undefined);

describe('tessera-session/csrf helper', () => {
  it('binds tokens to the session: a token verifies in its own session only', async () => {
    const csrf = createCsrf();
    const a = await fresh();
    const b = await fresh();
    const tokenA = csrf.token(a);
    csrf.token(b);
    assert.ok(csrf.verify(a, tokenA));
    assert.ok(csrf.verify(a, csrf.token(a)), 'a second token of the same session verifies too');
    assert.equal(csrf.verify(b, tokenA), false);
    assert.equal(typeof a.get('csrfSecret'), 'string', 'the secret lives in the session');
    assert.equal(tokenA.includes(String(a.get('csrfSecret'))), false, 'the token does not reveal the secret');
  });

  it('a session without a secret verifies nothing, and verify never creates one', async () => {
    const csrf = createCsrf();
    const s = await fresh();
    assert.equal(csrf.verify(s, csrf.token(await fresh())), false);
    assert.equal(s.has('csrfSecret'), false);
    assert.equal(s.status, 'unchanged');
  });

  it('renew() after regenerate() kills every earlier token (login)', async () => {
    const csrf = createCsrf();
    const s = await fresh();
    const before = csrf.token(s);
    s.regenerate();
    csrf.renew(s);
    assert.equal(csrf.verify(s, before), false);
    assert.ok(csrf.verify(s, csrf.token(s)));
  });

  it('destroy() drops the secret: tokens of the old session fail in the new one', async () => {
    const csrf = createCsrf();
    const s = await fresh();
    const token = csrf.token(s);
    s.destroy();
    assert.equal(csrf.verify(s, token), false);
  });

  it('hiddenField renders a hidden input with a token that verifies', async () => {
    const csrf = createCsrf({ field: 'tok' });
    const s = await fresh();
    const match = /^<input type="hidden" name="tok" value="([A-Za-z0-9_.-]+)">$/.exec(csrf.hiddenField(s));
    assert.ok(match);
    assert.ok(csrf.verify(s, match[1]));
  });

  it('refuses bad option names at construction', () => {
    assert.throws(() => createCsrf({ key: '' }), (e: unknown) => e instanceof SessionError && e.code === 'ERR_SESSION_CONFIG');
    assert.throws(() => createCsrf({ header: 'x csrf' }), /csrf header/);
    assert.throws(() => createCsrf({ field: 'a"b' }), /csrf field/);
  });

  it('the default refusal says when a form was posted that no body parser had read (a token in it could not count)', () => {
    const answer = (req: { method: string; headers: Record<string, string>; body?: unknown }): { status: number; text: string } => {
      const res = { statusCode: 200, text: '', setHeader: () => undefined, end(text: string) { this.text = text; } };
      const fakeSession = { get: () => undefined } as unknown as Parameters<Csrf['verify']>[0];
      createCsrf().protect({ session: () => fakeSession })(req, res, () => assert.fail('let through'));
      return { status: res.statusCode, text: res.text };
    };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    assert.match(answer({ method: 'POST', headers: form }).text, /^Forbidden: missing CSRF token \(the form body was not parsed: mount a body parser/);
    assert.equal(answer({ method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' } }).status, 403);
    assert.equal(answer({ method: 'POST', headers: form, body: {} }).text, 'Forbidden: invalid or missing CSRF token', 'a parsed body: the plain refusal');
    assert.equal(answer({ method: 'POST', headers: { 'content-type': 'application/json' } }).text, 'Forbidden: invalid or missing CSRF token');
    assert.equal(answer({ method: 'POST', headers: { ...form, 'x-csrf-token': 'wrong' } }).text, 'Forbidden: invalid or missing CSRF token', 'a header token came: it was wrong');
  });

  it('tokenOf reads the form field first, then the header, and ignores non-strings', () => {
    const csrf = createCsrf();
    const req = (body: unknown, headers: Record<string, string> = {}) => ({ body, headers }) as never;
    assert.equal(csrf.tokenOf(req({ _csrf: 'f' }, { 'x-csrf-token': 'h' })), 'f');
    assert.equal(csrf.tokenOf(req({}, { 'x-csrf-token': 'h' })), 'h');
    assert.equal(csrf.tokenOf(req({ _csrf: ['a', 'b'] })), undefined);
    assert.equal(csrf.tokenOf(req(Object.create({ _csrf: 'inherited' }))), undefined);
    assert.equal(csrf.tokenOf(req(undefined)), undefined);
  });

  it('property: verify never accepts and never throws on arbitrary input, in a session with a secret (50 000 runs)', async () => {
    const csrf = createCsrf();
    const s = await fresh();
    csrf.token(s);
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string({ maxLength: 100 })), (input) => {
        if (csrf.verify(s, input)) accepted++;
        return true;
      }),
      { numRuns: 50_000 },
    );
    assert.equal(accepted, 0);
  });
});

describe('csrf.protect() over HTTP', () => {
  let server: RunningServer;
  const csrf = createCsrf();

  before(async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(session({ secrets: SECRET, store: new MemoryStore() }));
    app.use(csrf.protect());
    app.get('/form', (req, res) => res.type('html').send(`<form method="post">${csrf.hiddenField(getSession(req))}</form>`));
    app.get('/token', (req, res) => res.json({ token: csrf.token(req.session) }));
    app.post('/login', (req, res) => {
      req.session.regenerate();
      csrf.renew(req.session);
      res.send('logged in');
    });
    app.post('/act', (_req, res) => res.send('done'));
    server = await serve(app);
  });
  after(() => server.close());

  const tokenIn = (html: string): string => /value="([^"]+)"/.exec(html)?.[1] ?? '';

  it('lets GET through and refuses a POST without a token (403)', async () => {
    const browser = new Browser(server.url);
    assert.equal((await browser.get('/form')).status, 200);
    const refused = await browser.post('/act', { body: new URLSearchParams({}) });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /CSRF/);
  });

  it('accepts the form field and the header; refuses another visitor\'s token', async () => {
    const alice = new Browser(server.url);
    const mallory = new Browser(server.url);
    const token = tokenIn((await alice.get('/form')).body);
    assert.equal((await alice.post('/act', { body: new URLSearchParams({ _csrf: token }) })).status, 200);
    assert.equal((await alice.post('/act', { headers: { 'x-csrf-token': token } })).status, 200);
    await mallory.get('/form');
    assert.equal((await mallory.post('/act', { body: new URLSearchParams({ _csrf: token }) })).status, 403);
  });

  it('a token from before login no longer works after it', async () => {
    const browser = new Browser(server.url);
    const before = tokenIn((await browser.get('/form')).body);
    assert.equal((await browser.post('/login', { body: new URLSearchParams({ _csrf: before }) })).status, 200);
    assert.equal((await browser.post('/act', { body: new URLSearchParams({ _csrf: before }) })).status, 403);
    const afterLogin = tokenIn((await browser.get('/form')).body);
    assert.equal((await browser.post('/act', { body: new URLSearchParams({ _csrf: afterLogin }) })).status, 200);
  });
});
