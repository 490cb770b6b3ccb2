// The middleware over real HTTP: construction (validation and deprecation warnings), the signed
// cookie and its attributes, and the secure/sameSite/proxy options. When sessions are saved and
// cookies sent is in save-rules.test.ts.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { SECRET, app, cookieOf, countingStore, listen, sidOf } from './test-setup.js';
import session, { Cookie, MemoryStore, Session, Store } from './index.js';
import type { SessionRequest } from './index.js';

describe('express-session compat: construction', () => {
  it('throws express-session’s messages for bad genid, unset and empty secret arrays', () => {
    assert.throws(() => session({ genid: 'x' as never }), /genid option must be a function/);
    assert.throws(() => session({ unset: 'bogus' as never, resave: false, saveUninitialized: false, secret: 's' }), /unset option must be "destroy" or "keep"/);
    assert.throws(() => session({ secret: [], resave: false, saveUninitialized: false }), /secret option array must contain one or more strings/);
  });

  it('warns about missing resave, saveUninitialized and secret as express-session does', () => {
    const seen: string[] = [];
    const listener = (warning: Error) => seen.push(warning.message);
    process.on('warning', listener);
    const previous = process.env.NO_DEPRECATION;
    delete process.env.NO_DEPRECATION;
    try {
      session({});
    } finally {
      if (previous !== undefined) process.env.NO_DEPRECATION = previous;
    }
    return new Promise<void>((resolve) => setImmediate(() => {
      process.off('warning', listener);
      assert.ok(seen.includes('express-session deprecated undefined resave option; provide resave option'), seen.join('\n'));
      assert.ok(seen.includes('express-session deprecated undefined saveUninitialized option; provide saveUninitialized option'));
      assert.ok(seen.includes('express-session deprecated req.secret; provide secret option'));
      resolve();
    }));
  });

  it('NO_DEPRECATION=express-session silences the warnings', async () => {
    const seen: string[] = [];
    const listener = (warning: Error) => seen.push(warning.message);
    process.on('warning', listener);
    const previous = process.env.NO_DEPRECATION;
    process.env.NO_DEPRECATION = 'express-session';
    try {
      session({});
    } finally {
      if (previous === undefined) delete process.env.NO_DEPRECATION;
      else process.env.NO_DEPRECATION = previous;
    }
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', listener);
    assert.deepEqual(seen.filter((m) => m.startsWith('express-session')), []);
  });

  it('exposes Store, MemoryStore, Cookie and Session on the factory', () => {
    assert.equal(session.Store, Store);
    assert.equal(session.MemoryStore, MemoryStore);
    assert.equal(session.Cookie, Cookie);
    assert.equal(session.Session, Session);
    assert.ok(new MemoryStore() instanceof Store);
  });
});

describe('express-session compat: cookie and signature', () => {
  it('signs byte-exactly: secret "keyboard cat", genid "apple"', async () => {
    const { browser } = await app({ genid: () => 'apple' });
    const res = await browser.get('/');
    assert.equal(res.setCookie[0]!.split(';')[0], 'connect.sid=s%3Aapple.D8Y%2BpkTAmeR0PobOhY4G97PRW%2Bj7bUnP%2F5m6%2FOn1MCU');
    assert.equal(res.setCookie[0], 'connect.sid=s%3Aapple.D8Y%2BpkTAmeR0PobOhY4G97PRW%2Bj7bUnP%2F5m6%2FOn1MCU; Path=/; HttpOnly');
  });

  it('default IDs are 32 base64url characters', async () => {
    const { browser } = await app({});
    const res = await browser.get('/');
    assert.match(sidOf(res.setCookie), /^[A-Za-z0-9_-]{32}$/);
  });

  it('uses name, and key as its alias', async () => {
    const named = await app({ name: 'sid' });
    assert.ok(cookieOf((await named.browser.get('/')).setCookie, 'sid'));
    const keyed = await app({ key: 'legacy' });
    assert.ok(cookieOf((await keyed.browser.get('/')).setCookie, 'legacy'));
  });

  it('writes every cookie attribute in express-session’s order', async () => {
    const { browser } = await app({
      cookie: { maxAge: 60_000, domain: '127.0.0.1', path: '/', httpOnly: true, partitioned: true, priority: 'high', sameSite: 'strict' },
      genid: () => 'apple',
    });
    const res = await browser.get('/');
    const date = res.headers.get('date')!;
    const header = res.setCookie[0]!;
    assert.match(header, /^connect\.sid=s%3Aapple\.[^;]+; Domain=127\.0\.0\.1; Path=\/; Expires=[^;]+; HttpOnly; Partitioned; Priority=High; SameSite=Strict$/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(header)![1]!);
    const delta = expires - Date.parse(date);
    assert.ok(delta >= 59_000 && delta <= 61_000, `Expires is Date + maxAge (${delta})`);
  });

  it('a secret array signs with the first and verifies with all', async () => {
    const store = new MemoryStore();
    const old = await app({ secret: 'old secret', store });
    const first = await old.browser.get('/', { headers: {} });
    const cookie = first.setCookie[0]!.split(';')[0]!;
    const rotated = await app({ secret: ['new secret', 'old secret'], rolling: true, store }, (req, res) => res.end(req.sessionID));
    const res = await rotated.browser.get('/', { cookie });
    assert.equal(res.body, sidOf(first.setCookie));
    assert.equal(sidOf(res.setCookie), res.body);
    const resigned = res.setCookie[0]!.split(';')[0]!;
    assert.notEqual(resigned, cookie, 'the re-sent cookie is signed with the new secret');
    const newOnly = await app({ secret: 'new secret', store }, (req, res) => res.end(req.sessionID));
    assert.equal((await newOnly.browser.get('/', { cookie: resigned })).body, res.body);
  });

  it('ignores unsigned and badly signed cookies without asking the store', async () => {
    const { store, calls } = countingStore();
    const { browser } = await app({ store }, (req, res) => res.end(req.sessionID));
    for (const cookie of ['connect.sid=apple', 'connect.sid=s%3Aapple.bad', 'connect.sid=s%3Aapple.D8Y%2BpkTAmeR0PobOhY4G97PRW%2Bj7bUnP%2F5m6%2FOn1MCV']) {
      const res = await browser.get('/', { cookie });
      assert.notEqual(res.body, 'apple');
    }
    assert.equal(calls.get, 0);
  });

  it('missing secret: a 500 with "secret option required for sessions" at request time', async () => {
    const { browser } = await app({ secret: undefined });
    const res = await browser.get('/');
    assert.equal(res.status, 500);
    assert.equal(res.body, 'secret option required for sessions');
  });

  it('falls back to req.secret when no secret option is given', async () => {
    const middleware = session({ resave: false, saveUninitialized: true, genid: () => 'apple' });
    const browser = await listen((req: IncomingMessage, res: ServerResponse) => {
      (req as SessionRequest).secret = SECRET;
      middleware(req as SessionRequest, res, () => res.end('ok'));
    });
    const res = await browser.get('/');
    assert.match(res.setCookie[0]!, /^connect\.sid=s%3Aapple\.D8Y%2BpkTAmeR0PobOhY4G97PRW%2Bj7bUnP%2F5m6%2FOn1MCU;/);
  });

  it('skips requests outside cookie.path', async () => {
    const { browser } = await app({ cookie: { path: '/admin' } }, (req, res) => res.end(String(req.session === undefined)));
    assert.equal((await browser.get('/public')).body, 'true');
    const inside = await browser.get('/admin/x?y=1');
    assert.equal(inside.body, 'false');
    assert.match(inside.setCookie[0]!, /Path=\/admin/);
  });
});

describe('express-session compat: secure, sameSite and proxy', () => {
  const trustFirstProxy = (secure: string | undefined): Record<string, string> => (secure ? { 'x-forwarded-proto': secure } : {});

  it('secure: true never sends the cookie over plain HTTP; proxy: true honours X-Forwarded-Proto', async () => {
    const plain = await app({ cookie: { secure: true } });
    assert.deepEqual((await plain.browser.get('/')).setCookie, []);
    const proxied = await app({ cookie: { secure: true }, proxy: true });
    assert.deepEqual((await proxied.browser.get('/', { headers: trustFirstProxy('http') })).setCookie, []);
    const viaHttps = await proxied.browser.get('/', { headers: trustFirstProxy('https, http') });
    assert.match(viaHttps.setCookie[0] ?? '', /; Secure/);
    const distrust = await app({ cookie: { secure: true }, proxy: false });
    assert.deepEqual((await distrust.browser.get('/', { headers: trustFirstProxy('https') })).setCookie, []);
  });

  it('secure and sameSite "auto" follow the request, in object and function form', async () => {
    for (const form of ['object', 'function'] as const) {
      const settings = { secure: 'auto' as const, sameSite: 'auto' as const };
      const { browser } = await app({ proxy: true, cookie: form === 'object' ? settings : () => ({ ...settings }) });
      const plain = await browser.get('/', { cookie: '' });
      assert.match(plain.setCookie[0] ?? '', /; SameSite=Lax$/, `${form}: plain`);
      assert.doesNotMatch(plain.setCookie[0]!, /Secure/);
      const secure = await browser.get('/', { cookie: '', headers: { 'x-forwarded-proto': 'https' } });
      assert.match(secure.setCookie[0] ?? '', /; Secure; SameSite=None$/, `${form}: secure`);
    }
  });

  it('proxy unset defers to req.secure', async () => {
    const middleware = session({ secret: SECRET, resave: false, saveUninitialized: true, cookie: { secure: true } });
    const browser = await listen((req: IncomingMessage, res: ServerResponse) => {
      (req as SessionRequest).secure = req.headers['x-secure'] === '1';
      middleware(req as SessionRequest, res, () => res.end('ok'));
    });
    assert.deepEqual((await browser.get('/')).setCookie, []);
    assert.equal((await browser.get('/', { headers: { 'x-secure': '1' } })).setCookie.length, 1);
  });

  it('cookie as a function is called per request', async () => {
    const { browser } = await app({ cookie: (req) => ({ maxAge: req.url === '/long' ? 3_600_000 : 60_000 }) });
    const short = await browser.get('/', { cookie: '' });
    const long = await browser.get('/long', { cookie: '' });
    const age = (h: string) => Date.parse(/Expires=([^;]+)/.exec(h)![1]!) - Date.now();
    assert.ok(age(short.setCookie[0]!) < 120_000);
    assert.ok(age(long.setCookie[0]!) > 3_000_000);
  });
});
